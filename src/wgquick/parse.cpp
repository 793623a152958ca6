#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/zero_key.hpp"
#include "wgquick/config.hpp"

namespace vpngw::wgquick {

namespace {

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::vector<std::string> split_list(const std::string& value) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        auto comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        auto item = trim(std::string_view(value).substr(start, comma - start));
        if (!item.empty()) out.push_back(item);
        start = comma + 1;
    }
    return out;
}

template <typename Int>
bool parse_int(const std::string& text, Int& out, int base = 10) {
    const char* first = text.data();
    if (base == 16) first += 2;
    auto [end, ec] = std::from_chars(first, text.data() + text.size(), out, base);
    return ec == std::errc{} && end == text.data() + text.size();
}

std::string strip_hashes(std::string text) {
    while (!text.empty() && text.front() == '#') text.erase(0, 1);
    while (!text.empty() && text.back() == '#') text.pop_back();
    return trim(text);
}

// "# Name = alice" (also friendly_name, as some generators write it).
std::optional<std::string> name_key(const std::string& comment) {
    std::string text = strip_hashes(comment);
    auto eq = text.find('=');
    if (eq == std::string::npos) return std::nullopt;
    std::string key = lower(trim(text.substr(0, eq)));
    if (key == "name" || key == "friendlyname" || key == "friendly_name")
        return trim(text.substr(eq + 1));
    return std::nullopt;
}

// "# alice", "### begin alice ###" (PiVPN), "# Name = alice", "# Client: alice".
std::string name_from_comment(const std::string& comment) {
    if (auto n = name_key(comment)) return *n;
    std::string text = strip_hashes(comment);
    for (const char* prefix : {"begin ", "client:", "client ", "peer:", "peer "})
        if (lower(text).rfind(prefix, 0) == 0) return trim(text.substr(std::string(prefix).size()));
    return text;
}

}  // namespace

Result<Config> parse(std::string_view text, const std::string& file) {
    Config config;
    enum class Section { none, interface, peer } section = Section::none;
    std::string last_comment;    // of the comment block just above the current line
    bool peer_has_keys = false;  // a key line since the last [Peer]
    int lineno = 0;
    std::size_t pos = 0;
    auto fail = [&](const std::string& message) -> Error {
        return Error{file + ":" + std::to_string(lineno) + ": " + message};
    };
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view raw = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++lineno;
        std::string line = trim(raw);
        if (line.empty()) {
            last_comment.clear();
            if (pos > text.size()) break;
            continue;
        }
        if (line.front() == '#') {
            last_comment = line;
            // "# Name = x" anywhere inside a [Peer] section names that peer,
            // and so does a comment between [Peer] and its first key
            // ("[Peer]\n# alice\nPublicKey = ...") when none above did.
            if (section == Section::peer) {
                auto& peer = config.peers.back();
                if (auto n = name_key(line))
                    peer.comment_name = *n;
                else if (!peer_has_keys && peer.comment_name.empty())
                    peer.comment_name = name_from_comment(line);
            }
            continue;
        }
        // wg-quick drops everything after '#'.
        if (auto hash = line.find('#'); hash != std::string::npos)
            line = trim(line.substr(0, hash));
        if (line.front() == '[') {
            std::string name = lower(line);
            if (name == "[interface]") {
                section = Section::interface;
            } else if (name == "[peer]") {
                section = Section::peer;
                Peer p;
                p.line = lineno;
                if (!last_comment.empty()) p.comment_name = name_from_comment(last_comment);
                peer_has_keys = false;
                config.peers.push_back(std::move(p));
            } else {
                return fail("unknown section " + line);
            }
            last_comment.clear();
            continue;
        }
        last_comment.clear();
        peer_has_keys = true;
        auto eq = line.find('=');
        if (eq == std::string::npos) return fail("expected KEY = VALUE, got \"" + line + "\"");
        const std::string key = lower(trim(line.substr(0, eq)));
        const std::string value = trim(line.substr(eq + 1));
        if (section == Section::none) return fail("\"" + key + "\" outside a section");

        if (section == Section::interface) {
            if (key == "privatekey") {
                config.private_key = SecretKey::from_base64(value);
                if (!config.private_key) return fail("PrivateKey is not a WireGuard key");
            } else if (key == "listenport") {
                std::uint16_t port = 0;
                if (!parse_int(value, port)) return fail("invalid ListenPort \"" + value + "\"");
                config.listen_port = port;
            } else if (key == "fwmark") {
                std::uint32_t mark = 0;
                bool hex = value.rfind("0x", 0) == 0;
                if (value != "off" && !parse_int(value, mark, hex ? 16 : 10))
                    return fail("invalid FwMark \"" + value + "\"");
                config.fwmark = mark;
            } else if (key == "address") {
                for (const auto& a : split_list(value)) {
                    auto p = Prefix::parse(a);
                    if (!p) return fail("invalid Address \"" + a + "\"");
                    config.addresses.push_back(*p);
                }
            } else if (key == "mtu") {
                int mtu = 0;
                if (!parse_int(value, mtu)) return fail("invalid MTU \"" + value + "\"");
                config.mtu = mtu;
            } else if (key == "dns") {
                for (auto& d : split_list(value)) config.dns.push_back(d);
            } else if (key == "table") {
                config.table = value;
            } else if (key == "saveconfig") {
                config.save_config = lower(value) == "true";
            } else if (key == "preup" || key == "postup" || key == "predown" || key == "postdown") {
                config.hooks.push_back({trim(line.substr(0, eq)), value, lineno});
            } else {
                return fail("unknown key \"" + trim(line.substr(0, eq)) + "\" in [Interface]");
            }
            continue;
        }

        Peer& peer = config.peers.back();
        if (key == "publickey") {
            auto k = PublicKey::from_base64(value);
            if (!k) return fail("PublicKey is not a WireGuard key");
            if (is_all_zero(*k)) return fail("PublicKey is the all-zero key, which no peer has");
            peer.public_key = *k;
        } else if (key == "presharedkey") {
            peer.preshared_key = SecretKey::from_base64(value);
            if (!peer.preshared_key) return fail("PresharedKey is not a WireGuard key");
        } else if (key == "allowedips") {
            for (const auto& a : split_list(value)) {
                auto p = Prefix::parse(a);
                if (!p) return fail("invalid AllowedIPs entry \"" + a + "\"");
                peer.allowed_ips.push_back(*p);
            }
        } else if (key == "endpoint") {
            peer.endpoint = Endpoint::parse(value);
            if (!peer.endpoint) return fail("invalid Endpoint \"" + value + "\"");
        } else if (key == "persistentkeepalive") {
            std::uint16_t k = 0;
            if (value != "off" && !parse_int(value, k))
                return fail("invalid PersistentKeepalive \"" + value + "\"");
            peer.keepalive = k;
        } else {
            return fail("unknown key \"" + trim(line.substr(0, eq)) + "\" in [Peer]");
        }
    }
    for (const auto& p : config.peers)
        if (p.public_key == PublicKey{})
            return Error{file + ":" + std::to_string(p.line) + ": [Peer] without PublicKey"};
    return config;
}

}  // namespace vpngw::wgquick
