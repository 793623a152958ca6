// peers.toml of the releases before the line format ("version = 1"):
//
//   [[peer]]
//   name = "alice-phone"
//   group = "staff"
//   public_key = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
//   address = "10.8.1.2"             # optional
//   address6 = "fd08:0:0:1::2"       # optional
//   has_psk = true                   # psk/<name>.psk exists
//   created = 2024-05-01T12:00:00Z
#include <toml++/toml.h>

#include <chrono>
#include <set>

#include "registry/legacy_formats.hpp"
#include "util/toml_guard.hpp"

namespace vpngw::registry::legacy {

using store::is_valid_name;
using store::quoted_excerpt;

namespace {

constexpr std::int64_t kFormatVersion = 1;

Location where(const std::string& file, const toml::source_region& src) {
    return Location{file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
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
Result<PeerRecord> read_peer(const toml::table& t, const std::string& file) {
    static const std::set<std::string> known = {"name",     "group",   "public_key", "address",
                                                "address6", "has_psk", "created"};
    for (const auto& [key, node] : t)
        if (!known.count(std::string(key.str())))
            return Error{"unknown key " + quoted_excerpt(key.str()) + " in [[peer]]",
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

    PeerRecord p;
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

Result<std::vector<PeerRecord>> read_state(const toml::table& root, const std::string& file) {
    for (const auto& [key, node] : root)
        if (key.str() != "version" && key.str() != "peer")
            return Error{"unknown key " + quoted_excerpt(key.str()), where(file, key.source())};
    if (const toml::node* v = root.get("version")) {
        if (!v->is_integer() || v->as_integer()->get() != kFormatVersion)
            return Error{"unsupported peers file version (this vpngw reads version " +
                             std::to_string(kFormatVersion) + ")",
                         where(file, v->source())};
    }
    std::vector<PeerRecord> state;
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
        state.push_back(std::move(*p));
    }
    return state;
}

}  // namespace

Result<std::vector<PeerRecord>> parse_toml(std::string_view text, const std::string& file) {
    if (auto hazard = find_toml_hazard(text))
        return Error{hazard->message, Location{file, hazard->line, hazard->column}};
#if TOML_EXCEPTIONS
    try {
        toml::table root = toml::parse(text, file);
        return read_state(root, file);
    } catch (const toml::parse_error& e) {
        return Error{std::string(e.description()), where(file, e.source())};
    }
#else
    toml::parse_result r = toml::parse(text, file);
    if (!r) return Error{std::string(r.error().description()), where(file, r.error().source())};
    return read_state(r.table(), file);
#endif
}

}  // namespace vpngw::registry::legacy
