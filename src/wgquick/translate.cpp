#include "wgquick/translate.hpp"

#include <unordered_map>
#include <unordered_set>

#include "escape/escape.hpp"

namespace vpngw::wgquick {

namespace {

// A TOML string. Only invalid UTF-8 has no TOML form; it is written as its
// \xHH text instead (and a state_dir like that is refused before this).
std::string quoted(const std::string& s) {
    if (auto q = escape::toml_string(s)) return *q;
    return *escape::toml_string(escape::visible(s));
}

// Text after '#': one TOML comment line whatever the source holds.
std::string comment(const std::string& s) {
    return escape::visible(s);
}

std::optional<Prefix> first_of(const std::vector<Prefix>& addresses, Family family) {
    for (const auto& a : addresses)
        if (a.family() == family) return a;
    return std::nullopt;
}

// Names handed out so far, and for each stem the next number to try after
// it: a name that repeats 20,000 times would otherwise try 2, 3, ... again
// each time (93 s). Every (stem, number) pair is tried at most once, and a
// candidate is refused only when an earlier peer holds it, so the whole
// import tries fewer than twice as many names as it has peers.
struct NameRegistry {
    std::unordered_set<std::string> used;
    std::unordered_map<std::string, int> next_number;
};

std::string unique_name(std::string name, NameRegistry& names, std::size_t index) {
    if (name.empty()) name = "peer" + std::to_string(index + 1);
    if (names.used.insert(name).second) return name;
    for (int n = 2;;) {
        const std::string suffix = "-" + std::to_string(n);
        // Names are at most 15 characters: the suffix replaces the stem's tail.
        std::string stem = name.substr(0, 15 - suffix.size());
        int& next = names.next_number[stem];
        if (next > n) {
            n = next;  // the numbers below were tried for this stem already
            continue;
        }
        next = n + 1;
        std::string candidate = std::move(stem) + suffix;
        if (names.used.insert(candidate).second) return candidate;
        ++n;
    }
}

// A peer's tunnel addresses: its single-host AllowedIPs inside the
// interface's prefixes. Everything else is reported, not dropped silently.
ImportedPeer import_peer(const Peer& p, const std::string& name, const std::optional<Prefix>& net4,
                         const std::optional<Prefix>& net6,
                         std::vector<std::string>& untranslated) {
    ImportedPeer out{name, p.public_key, std::nullopt, std::nullopt, p.preshared_key, p.keepalive};
    for (const auto& a : p.allowed_ips) {
        const bool host = a.len == a.addr.bits();
        if (host && a.family() == Family::v4 && net4 && net4->contains(a.addr) && !out.address) {
            out.address = a.addr;
        } else if (host && a.family() == Family::v6 && net6 && net6->contains(a.addr) &&
                   !out.address6) {
            out.address6 = a.addr;
        } else {
            untranslated.push_back("line " + std::to_string(p.line) + ": peer " + name +
                                   ": AllowedIPs " + a.str() +
                                   " (vpngw gives a peer one address per family inside the "
                                   "interface's prefix; route other networks yourself)");
        }
    }
    if (p.endpoint)
        untranslated.push_back("line " + std::to_string(p.line) + ": peer " + name +
                               ": Endpoint = " + p.endpoint->str() +
                               " (vpngw peers are clients that dial in; the kernel learns their "
                               "endpoint)");
    return out;
}

void interface_notes(const Config& c, std::vector<std::string>& untranslated) {
    for (const auto& h : c.hooks)
        untranslated.push_back("line " + std::to_string(h.line) + ": " + h.key + " = " + h.command);
    if (!c.dns.empty()) {
        std::string list;
        for (const auto& d : c.dns) list += (list.empty() ? "" : ", ") + d;
        untranslated.push_back("DNS = " + list +
                               " (the gateway's own resolvers; client DNS is [[group]] dns)");
    }
    if (c.table)
        untranslated.push_back("Table = " + *c.table +
                               " (vpngw routes the client subnets itself; uplinks have tables)");
    if (c.save_config) untranslated.push_back("SaveConfig (vpngw's profile is the only source)");
}

std::string profile_text(const Config& c, const ImportOptions& o, const Imported& in,
                         const std::optional<Prefix>& subnet,
                         const std::optional<Prefix>& subnet6) {
    std::string t;
    t += "# Imported from " + comment(o.source) + " by `vpngw import wg-quick`.\n";
    t += "# The WireGuard side is what wg-quick ran: `vpngw plan` shows no WireGuard change.\n";
    t += "# vpngw adds its own firewall, NAT and forwarding: review [firewall] and [[group]] "
         "allow.\n";
    if (!in.untranslated.empty()) {
        t += "#\n# Not translated (carry these over by hand if you still need them):\n";
        for (const auto& u : in.untranslated) t += "#   " + comment(u) + "\n";
    }
    t += "\n[gateway]\nname = " + quoted(o.ifname) + "\n";
    t += "state_dir = " + quoted(o.state_dir) + "\n";
    t += "\n[[interface]]\nname = " + quoted(o.ifname) + "\n";
    t += "listen_port = " + std::to_string(c.listen_port.value_or(51820)) + "\n";
    if (c.mtu) t += "mtu = " + std::to_string(*c.mtu) + "\n";
    t += "address = [";
    for (std::size_t i = 0; i < c.addresses.size(); ++i)
        t += (i ? ", " : "") + quoted(c.addresses[i].str());
    t += "]\n";
    if (c.fwmark && *c.fwmark) t += "fwmark = " + std::to_string(*c.fwmark) + "\n";
    t += "# The key wg-quick used, copied to " + comment(o.state_dir + "/" + o.ifname + ".key") +
         "\n";

    t += "\n[[group]]\nname = " + quoted(o.group) + "\ninterface = " + quoted(o.ifname) + "\n";
    if (subnet) t += "subnet = " + quoted(subnet->str()) + "\n";
    if (subnet6) t += "subnet6 = " + quoted(subnet6->str()) + "\n";
    t += "# wg-quick set no limits: clients may reach anything, as before.\nallow = [\"any\"]\n";

    t += "\n[firewall]\n# wg-quick left SSH open to all: narrow `allow` to your own addresses.\n";
    t += "management = { port = 22 }\n";

    for (const auto& p : in.peers) {
        t += "\n[[peer]]\nname = " + quoted(p.name) + "\ngroup = " + quoted(o.group) + "\n";
        t += "public_key = " + quoted(p.public_key.base64()) + "\n";
        if (p.address && subnet) t += "address = " + quoted(p.address->str()) + "\n";
        if (p.address6 && subnet6) t += "address6 = " + quoted(p.address6->str()) + "\n";
        if (p.preshared_key)
            t += "preshared_key_file = " + quoted(o.state_dir + "/psk/" + p.name + ".psk") + "\n";
        if (p.keepalive && *p.keepalive) t += "keepalive = " + std::to_string(*p.keepalive) + "\n";
    }
    return t;
}

}  // namespace

std::string sanitize_name(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '=' || c == '+' ||
                        c == '-';
        if (out.size() == 15) break;
        if (ok)
            out += c;
        else if (!out.empty() && out.back() != '-')
            out += '-';
    }
    while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(0, 1);
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

Imported translate(const Config& c, const ImportOptions& o) {
    Imported in;
    in.private_key = c.private_key;
    interface_notes(c, in.untranslated);
    const auto if4 = first_of(c.addresses, Family::v4);
    const auto if6 = first_of(c.addresses, Family::v6);
    const std::optional<Prefix> net4 = if4 ? std::optional(if4->network()) : std::nullopt;
    const std::optional<Prefix> net6 = if6 ? std::optional(if6->network()) : std::nullopt;

    NameRegistry names;
    for (std::size_t i = 0; i < c.peers.size(); ++i) {
        const auto& p = c.peers[i];
        auto name = unique_name(sanitize_name(p.comment_name), names, i);
        auto peer = import_peer(p, name, net4, net6, in.untranslated);
        if (!peer.address && !peer.address6) {
            in.untranslated.push_back("line " + std::to_string(p.line) + ": peer " + name + " (" +
                                      p.public_key.base64() +
                                      ") left out: no address inside the interface's prefixes");
            continue;
        }
        in.peers.push_back(std::move(peer));
    }
    // A group subnet makes vpngw give every peer of the group an address of
    // that family; keep one only when every peer has such an address already.
    bool all4 = true, all6 = true;
    for (const auto& p : in.peers) {
        all4 = all4 && p.address;
        all6 = all6 && p.address6;
    }
    std::optional<Prefix> subnet = all4 ? net4 : std::nullopt;
    std::optional<Prefix> subnet6 = all6 ? net6 : std::nullopt;
    if (!subnet && !subnet6) subnet = net4 ? net4 : std::nullopt;
    for (const auto& p : in.peers) {
        if (p.address && !subnet)
            in.untranslated.push_back("peer " + p.name + ": address " + p.address->str() +
                                      " (other peers have no IPv4 address)");
        if (p.address6 && !subnet6)
            in.untranslated.push_back("peer " + p.name + ": address6 " + p.address6->str() +
                                      " (other peers have no IPv6 address)");
    }
    in.profile = profile_text(c, o, in, subnet, subnet6);
    return in;
}

}  // namespace vpngw::wgquick
