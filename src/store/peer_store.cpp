#include "store/peer_store.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "store/atomic_file.hpp"

namespace vpngw::store {

namespace {

constexpr std::int64_t kFormatVersion = 1;

Location where(const std::string& file, const toml::source_region& src) {
    return Location{file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
}

// TOML basic string; the values are names, base64 and addresses, but quote
// properly anyway so a future field cannot break the file.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string rfc3339_utc(std::chrono::sys_seconds t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::optional<std::chrono::sys_seconds> to_sys_seconds(const toml::date_time& dt) {
    using namespace std::chrono;
    if (!dt.offset) return std::nullopt;  // a local time names no instant
    const year_month_day ymd{year{dt.date.year}, month{dt.date.month}, day{dt.date.day}};
    if (!ymd.ok()) return std::nullopt;
    return sys_seconds{sys_days{ymd}} + hours{dt.time.hour} + minutes{dt.time.minute} +
           seconds{dt.time.second} - minutes{dt.offset->minutes};
}

// Reads one [[peer]] table; every problem points at its own line.
Result<StoredPeer> read_peer(const toml::table& t, const std::string& file) {
    static const std::set<std::string> known = {"name",     "group",   "public_key", "address",
                                                "address6", "has_psk", "created"};
    for (const auto& [key, node] : t)
        if (!known.count(std::string(key.str())))
            return Error{"unknown key \"" + std::string(key.str()) + "\" in [[peer]]",
                         where(file, key.source())};

    auto string_field = [&](const char* key, bool required) -> Result<std::optional<std::string>> {
        const toml::node* n = t.get(key);
        if (!n) {
            if (required)
                return Error{std::string("[[peer]] lacks ") + key, where(file, t.source())};
            return std::optional<std::string>();
        }
        if (!n->is_string())
            return Error{std::string(key) + " must be a string", where(file, n->source())};
        return std::optional<std::string>(n->as_string()->get());
    };

    StoredPeer p;
    auto name = string_field("name", true);
    if (!name) return name.error();
    if (!is_valid_name(**name))
        return Error{"invalid peer name \"" + **name + "\"", where(file, t.get("name")->source())};
    p.name = **name;

    auto group = string_field("group", true);
    if (!group) return group.error();
    if (!is_valid_name(**group))
        return Error{"invalid group name \"" + **group + "\"",
                     where(file, t.get("group")->source())};
    p.group = **group;

    auto key = string_field("public_key", true);
    if (!key) return key.error();
    auto pub = PublicKey::from_base64(**key);
    if (!pub)
        return Error{"public_key is not 44 characters of base64 of 32 bytes",
                     where(file, t.get("public_key")->source())};
    p.public_key = *pub;

    for (auto [field, family, slot] : {std::tuple{"address", Family::v4, &p.address},
                                       std::tuple{"address6", Family::v6, &p.address6}}) {
        auto text = string_field(field, false);
        if (!text) return text.error();
        if (!*text) continue;
        auto a = IpAddress::parse(**text);
        if (!a || a->family != family)
            return Error{std::string(field) + " must be an IPv" +
                             (family == Family::v4 ? "4" : "6") + " address, not \"" + **text +
                             "\"",
                         where(file, t.get(field)->source())};
        *slot = *a;
    }

    if (const toml::node* n = t.get("has_psk")) {
        if (!n->is_boolean())
            return Error{"has_psk must be true or false", where(file, n->source())};
        p.has_psk = n->as_boolean()->get();
    }

    const toml::node* created = t.get("created");
    if (!created) return Error{"[[peer]] lacks created", where(file, t.source())};
    std::optional<std::chrono::sys_seconds> when;
    if (created->is_date_time()) when = to_sys_seconds(created->as_date_time()->get());
    if (!when)
        return Error{"created must be a date-time with an offset, e.g. 2024-05-01T12:00:00Z",
                     where(file, created->source())};
    p.created = *when;
    return p;
}

Result<PeerState> read_state(const toml::table& root, const std::string& file) {
    for (const auto& [key, node] : root)
        if (key.str() != "version" && key.str() != "peer")
            return Error{"unknown key \"" + std::string(key.str()) + "\"",
                         where(file, key.source())};
    if (const toml::node* v = root.get("version")) {
        if (!v->is_integer() || v->as_integer()->get() != kFormatVersion)
            return Error{"unsupported peers file version (this vpngw reads version " +
                             std::to_string(kFormatVersion) + ")",
                         where(file, v->source())};
    }
    PeerState state;
    const toml::node* peers = root.get("peer");
    if (!peers) return state;
    if (!peers->is_array_of_tables())
        return Error{"peer must be an array of tables ([[peer]])", where(file, peers->source())};

    std::set<std::string> names, keys;
    std::set<IpAddress> addresses;
    for (const toml::node& n : *peers->as_array()) {
        auto p = read_peer(*n.as_table(), file);
        if (!p) return p.error();
        const Location at = where(file, n.source());
        if (!names.insert(p->name).second)
            return Error{"duplicate peer name \"" + p->name + "\"", at};
        if (!keys.insert(p->public_key.base64()).second)
            return Error{"peer " + p->name + " repeats another peer's public key", at};
        for (const auto& a : {p->address, p->address6})
            if (a && !addresses.insert(*a).second)
                return Error{"peer " + p->name + " repeats address " + a->str(), at};
        state.peers.push_back(std::move(*p));
    }
    return state;
}

}  // namespace

const StoredPeer* PeerState::find(const std::string& name) const {
    for (const auto& p : peers)
        if (p.name == name) return &p;
    return nullptr;
}

std::string format_peers(const PeerState& state) {
    std::string out =
        "# Peers added with `vpngw peer add`; written by vpngw, which holds\n"
        "# <state_dir>/lock while changing it.\n";
    out += "version = " + std::to_string(kFormatVersion) + "\n";
    for (const auto& p : state.peers) {
        out += "\n[[peer]]\n";
        out += "name = " + quoted(p.name) + "\n";
        out += "group = " + quoted(p.group) + "\n";
        out += "public_key = " + quoted(p.public_key.base64()) + "\n";
        if (p.address) out += "address = " + quoted(p.address->str()) + "\n";
        if (p.address6) out += "address6 = " + quoted(p.address6->str()) + "\n";
        out += std::string("has_psk = ") + (p.has_psk ? "true" : "false") + "\n";
        out += "created = " + rfc3339_utc(p.created) + "\n";
    }
    return out;
}

Result<PeerState> load_peers(const StatePaths& paths) {
    const std::string file = paths.peers_file();
    auto text = read_file_if_exists(file);
    if (!text) return text.error();
    if (!*text) return PeerState{};
#if TOML_EXCEPTIONS
    try {
        toml::table root = toml::parse(**text, file);
        return read_state(root, file);
    } catch (const toml::parse_error& e) {
        return Error{std::string(e.description()), where(file, e.source())};
    }
#else
    toml::parse_result r = toml::parse(**text, file);
    if (!r) return Error{std::string(r.error().description()), where(file, r.error().source())};
    return read_state(r.table(), file);
#endif
}

Status save_peers(const StatePaths& paths, const PeerState& state) {
    if (auto s = ensure_private_dir(paths.dir); !s) return s;
    return atomic_write_file(paths.peers_file(), format_peers(state), 0600);
}

Status write_client_config(const StatePaths& paths, const std::string& peer_name,
                           const SecretText& config) {
    auto file = paths.client_config_file(peer_name);
    if (!file) return file.error();
    if (auto s = ensure_private_dir(paths.clients_dir()); !s) return s;
    return atomic_write_file(*file, config.view(), 0600);
}

Status write_psk(const StatePaths& paths, const std::string& peer_name, const SecretKey& psk) {
    auto file = paths.psk_file(peer_name);
    if (!file) return file.error();
    if (auto s = ensure_private_dir(paths.psk_dir()); !s) return s;
    SecretText text;
    std::string b64 = psk.base64();
    text.append(b64);
    text.append('\n');
    wipe(b64);
    return atomic_write_file(*file, text.view(), 0600);
}

Result<SecretKey> read_psk(const StatePaths& paths, const std::string& peer_name) {
    auto file = paths.psk_file(peer_name);
    if (!file) return file.error();
    auto text = read_file_if_exists(*file);
    if (!text) return text.error();
    if (!*text) return Error{"missing preshared key file " + *file};
    std::string& s = **text;
    std::string_view trimmed = s;
    while (!trimmed.empty() &&
           (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
        trimmed.remove_suffix(1);
    auto key = SecretKey::from_base64(trimmed);
    wipe(s);
    if (!key) return Error{"preshared key file " + *file + " does not hold a base64 key"};
    return *key;
}

Status remove_peer_files(const StatePaths& paths, const std::string& peer_name) {
    for (auto file : {paths.client_config_file(peer_name), paths.psk_file(peer_name)}) {
        if (!file) return file.error();
        if (::unlink(file->c_str()) != 0 && errno != ENOENT)
            return Error{"cannot remove " + *file + ": " + std::strerror(errno)};
    }
    return ok_status();
}

}  // namespace vpngw::store
