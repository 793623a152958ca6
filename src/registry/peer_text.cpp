#include "registry/peer_text.hpp"

#include <toml++/toml.h>

#include <set>
#include <unordered_set>

#include "store/excerpt.hpp"
#include "store/state_paths.hpp"
#include "util/toml_guard.hpp"
#include "util/zero_key.hpp"

namespace vpngw::registry {
namespace {

constexpr std::int64_t kVersion = 1;

// A TOML basic string of text that needs no escapes (names, keys, addresses,
// the fixed forms of times and limits).
std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

Location where(const std::string& file, const toml::source_region& src) {
    return Location{file, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
}

class PeerReader {
  public:
    PeerReader(const toml::table& t, const std::string& file) : t_(t), file_(file) {}

    Result<PeerRecord> read() {
        static const std::set<std::string_view> known = {
            "name",    "group",    "public_key", "address", "address6", "psk",
            "created", "disabled", "expires",    "quota",   "rate",     "networks"};
        for (const auto& [key, node] : t_)
            if (!known.contains(key.str()))
                return Error{"unknown key " + store::quoted_excerpt(key.str()) + " in [[peer]]",
                             where(file_, key.source())};
        PeerRecord p;
        auto name = text("name", true);
        if (!name) return name.error();
        if (!store::is_valid_name(**name))
            return fail("name", "invalid peer name " + store::quoted_excerpt(**name));
        p.name = **name;
        auto group = text("group", true);
        if (!group) return group.error();
        if (!store::is_valid_name(**group))
            return fail("group", "invalid group name " + store::quoted_excerpt(**group));
        p.group = **group;
        auto key = text("public_key", true);
        if (!key) return key.error();
        auto pub = PublicKey::from_base64(**key);
        if (!pub) return fail("public_key", "not 44 characters of base64 of 32 bytes");
        if (is_all_zero(*pub)) return fail("public_key", "the all-zero key, which no peer has");
        p.public_key = *pub;
        for (auto [field, v4] : {std::pair{"address", true}, std::pair{"address6", false}}) {
            auto a = text(field, false);
            if (!a) return a.error();
            if (!*a) continue;
            auto ip = IpAddress::parse(**a);
            if (!ip || ip->is_v4() != v4)
                return fail(field, std::string("must be an IPv") + (v4 ? "4" : "6") +
                                       " address, not " + store::quoted_excerpt(**a));
            (v4 ? p.address : p.address6) = *ip;
        }
        auto psk = flag("psk");
        if (!psk) return psk.error();
        p.has_psk = *psk;
        auto disabled = flag("disabled");
        if (!disabled) return disabled.error();
        p.disabled = *disabled;
        auto created = time("created", true);
        if (!created) return created.error();
        p.created = **created;
        auto expires = time("expires", false);
        if (!expires) return expires.error();
        p.expires = *expires;
        auto quota = text("quota", false);
        if (!quota) return quota.error();
        if (*quota) {
            auto q = model::parse_quota(**quota);
            if (!q) return fail("quota", q.error().message);
            set_quota(p, *q);
        }
        auto rate = text("rate", false);
        if (!rate) return rate.error();
        if (*rate) {
            auto r = model::parse_rate(**rate);
            if (!r) return fail("rate", r.error().message);
            p.rate_bits = *r;
        }
        if (const toml::node* n = t_.get("networks")) {
            const toml::array* list = n->as_array();
            if (!list) return fail("networks", "must be a list of CIDRs");
            for (const toml::node& item : *list) {
                const auto* s = item.as_string();
                auto prefix = s ? Prefix::parse(s->get()) : std::nullopt;
                if (!prefix)
                    return Error{"networks: each entry is a CIDR such as \"192.168.50.0/24\"",
                                 where(file_, item.source())};
                p.networks.push_back(*prefix);
            }
        }
        return p;
    }

  private:
    Error fail(const char* field, const std::string& problem) const {
        const toml::node* n = t_.get(field);
        return Error{std::string(field) + ": " + problem,
                     where(file_, n ? n->source() : t_.source())};
    }
    Result<std::optional<std::string>> text(const char* field, bool required) const {
        const toml::node* n = t_.get(field);
        if (!n) {
            if (required)
                return Error{std::string("[[peer]] lacks ") + field, where(file_, t_.source())};
            return std::optional<std::string>{};
        }
        if (!n->is_string()) return fail(field, "must be a string");
        return std::optional<std::string>(n->as_string()->get());
    }
    Result<bool> flag(const char* field) const {
        const toml::node* n = t_.get(field);
        if (!n) return false;
        if (!n->is_boolean()) return fail(field, "must be true or false");
        return n->as_boolean()->get();
    }
    Result<std::optional<std::chrono::sys_seconds>> time(const char* field, bool required) const {
        auto s = text(field, required);
        if (!s) return s.error();
        if (!*s) return std::optional<std::chrono::sys_seconds>{};
        auto t = model::parse_time(**s);
        if (!t) return fail(field, t.error().message);
        return std::optional<std::chrono::sys_seconds>(*t);
    }

    const toml::table& t_;
    const std::string& file_;
};

struct AddressHash {
    std::size_t operator()(const IpAddress& a) const {
        return std::hash<std::string_view>()(
            std::string_view(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size()));
    }
};

Result<std::vector<PeerRecord>> read_all(const toml::table& root, const std::string& file) {
    for (const auto& [key, node] : root)
        if (key.str() != "version" && key.str() != "peer")
            return Error{"unknown key " + store::quoted_excerpt(key.str()),
                         where(file, key.source())};
    const toml::node* v = root.get("version");
    if (!v || !v->is_integer() || v->as_integer()->get() != kVersion)
        return Error{"version: this vpngw reads peer files of version " + std::to_string(kVersion),
                     v ? where(file, v->source()) : Location{file, 1, 1}};
    std::vector<PeerRecord> peers;
    const toml::node* list = root.get("peer");
    if (!list) return peers;
    if (!list->is_array_of_tables())
        return Error{"peer must be an array of tables ([[peer]])", where(file, list->source())};
    std::unordered_set<std::string> names;
    std::unordered_set<PublicKey, PublicKeyHash> keys;
    std::unordered_set<IpAddress, AddressHash> addresses;
    for (const toml::node& n : *list->as_array()) {
        const toml::table& t = *n.as_table();
        auto p = PeerReader(t, file).read();
        if (!p) return p.error();
        auto at = [&](const char* field) {
            const toml::node* f = t.get(field);
            return where(file, f ? f->source() : t.source());
        };
        if (!names.insert(p->name).second)
            return Error{"name: a peer named \"" + p->name + "\" appears twice", at("name")};
        if (!keys.insert(p->public_key).second)
            return Error{"public_key: peer " + p->name + " repeats another peer's public key",
                         at("public_key")};
        for (auto [field, a] :
             {std::pair{"address", p->address}, std::pair{"address6", p->address6}})
            if (a && !addresses.insert(*a).second)
                return Error{
                    std::string(field) + ": peer " + p->name + " repeats address " + a->str(),
                    at(field)};
        peers.push_back(std::move(*p));
    }
    return peers;
}

}  // namespace

std::optional<model::Quota> quota_of(const PeerRecord& p) {
    if (!p.quota_bytes) return std::nullopt;
    auto period = model::parse_quota_period(p.quota_period);
    return model::Quota{*p.quota_bytes, period ? *period : model::QuotaPeriod::month};
}

void set_quota(PeerRecord& p, const std::optional<model::Quota>& q) {
    if (!q) {
        p.quota_bytes.reset();
        p.quota_period.clear();
        return;
    }
    p.quota_bytes = q->bytes;
    p.quota_period = model::to_string(q->period);
}

std::string format_peers_text(const std::vector<PeerRecord>& peers) {
    std::string out =
        "# vpngw peers (`vpngw peer export`); `vpngw peer import FILE` adds them back.\n"
        "# Public keys only: psk = true means psk/<name>.psk of the state directory goes with "
        "it.\n"
        "version = 1\n";
    for (const auto& p : peers) {
        out += "\n[[peer]]\n";
        out += "name = " + quoted(p.name) + "\n";
        out += "group = " + quoted(p.group) + "\n";
        out += "public_key = " + quoted(p.public_key.base64()) + "\n";
        if (p.address) out += "address = " + quoted(p.address->str()) + "\n";
        if (p.address6) out += "address6 = " + quoted(p.address6->str()) + "\n";
        if (p.has_psk) out += "psk = true\n";
        out += "created = " + quoted(model::format_time(p.created)) + "\n";
        if (p.disabled) out += "disabled = true\n";
        if (p.expires) out += "expires = " + quoted(model::format_time(*p.expires)) + "\n";
        if (auto q = quota_of(p)) out += "quota = " + quoted(model::format_quota(*q)) + "\n";
        if (p.rate_bits) out += "rate = " + quoted(model::format_rate(*p.rate_bits)) + "\n";
        if (!p.networks.empty()) {
            out += "networks = [";
            for (std::size_t i = 0; i < p.networks.size(); ++i)
                out += (i ? ", " : "") + quoted(p.networks[i].str());
            out += "]\n";
        }
    }
    return out;
}

Result<std::vector<PeerRecord>> parse_peers_text(std::string_view text, const std::string& file) {
    if (auto hazard = find_toml_hazard(text))
        return Error{hazard->message, Location{file, hazard->line, hazard->column}};
#if TOML_EXCEPTIONS
    try {
        toml::table root = toml::parse(text, file);
        return read_all(root, file);
    } catch (const toml::parse_error& e) {
        return Error{std::string(e.description()), where(file, e.source())};
    }
#else
    toml::parse_result r = toml::parse(text, file);
    if (!r) return Error{std::string(r.error().description()), where(file, r.error().source())};
    return read_all(r.table(), file);
#endif
}

}  // namespace vpngw::registry
