#include "fleet/etcd_layout.hpp"

#include <nlohmann/json.hpp>

namespace vpngw::fleet {
namespace {

using nlohmann::json;
using registry::AuditEntry;
using registry::PeerRecord;

Error bad(std::string_view key, const std::string& what) {
    return Error{"registry record " + std::string(key) + " in etcd: " + what};
}

// Reads one field with its expected type; an absent optional field is fine.
class Fields {
  public:
    Fields(std::string_view key, const json& j) : key_(key), j_(j) {}

    const json* get(const char* name, json::value_t type, bool required) {
        auto it = j_.find(name);
        if (it == j_.end()) {
            if (required) fail(std::string("\"") + name + "\" is missing");
            return nullptr;
        }
        const bool ok = it->type() == type || (type == json::value_t::number_unsigned &&
                                               it->type() == json::value_t::number_integer &&
                                               it->get<std::int64_t>() >= 0);
        if (!ok) {
            fail(std::string("\"") + name + "\" has the wrong type");
            return nullptr;
        }
        return &*it;
    }
    std::string text(const char* name, bool required) {
        auto v = get(name, json::value_t::string, required);
        return v ? v->get<std::string>() : std::string();
    }
    std::optional<std::uint64_t> number(const char* name) {
        auto v = get(name, json::value_t::number_unsigned, false);
        if (!v) return std::nullopt;
        return v->get<std::uint64_t>();
    }
    bool flag(const char* name) {
        auto v = get(name, json::value_t::boolean, false);
        return v && v->get<bool>();
    }
    std::optional<IpAddress> address(const char* name) {
        if (!j_.contains(name)) return std::nullopt;
        auto parsed = IpAddress::parse(text(name, true));
        if (!parsed) fail(std::string("\"") + name + "\" is not an IP address");
        return parsed;
    }
    void fail(std::string what) {
        if (!error_) error_ = bad(key_, what);
    }
    const std::optional<Error>& error() const { return error_; }

  private:
    std::string_view key_;
    const json& j_;
    std::optional<Error> error_;
};

std::int64_t seconds(std::chrono::sys_seconds t) {
    return t.time_since_epoch().count();
}
std::chrono::sys_seconds from_seconds(std::uint64_t s) {
    return std::chrono::sys_seconds{std::chrono::seconds{static_cast<std::int64_t>(s)}};
}

}  // namespace

std::string encode_peer(const PeerRecord& p) {
    json j = {{"name", p.name},
              {"group", p.group},
              {"public_key", p.public_key.base64()},
              {"has_psk", p.has_psk},
              {"created", seconds(p.created)},
              {"disabled", p.disabled}};
    if (p.address) j["address"] = p.address->str();
    if (p.address6) j["address6"] = p.address6->str();
    if (p.expires) j["expires"] = seconds(*p.expires);
    if (p.quota_bytes) {
        j["quota_bytes"] = *p.quota_bytes;
        j["quota_period"] = p.quota_period;
    }
    if (p.rate_bits) j["rate_bits"] = *p.rate_bits;
    if (!p.node.empty()) j["node"] = p.node;
    if (!p.sealed_psk.empty()) j["psk_sealed"] = p.sealed_psk;
    if (!p.networks.empty()) {
        json nets = json::array();
        for (const auto& n : p.networks) nets.push_back(n.str());
        j["networks"] = nets;
    }
    return j.dump();
}

Result<PeerRecord> decode_peer(std::string_view key, std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(key, "not a JSON object");
    Fields f(key, j);
    PeerRecord p;
    p.name = f.text("name", true);
    p.group = f.text("group", true);
    const std::string public_key = f.text("public_key", true);
    if (auto k = PublicKey::from_base64(public_key))
        p.public_key = *k;
    else if (!f.error())
        f.fail("\"public_key\" is not a WireGuard public key");
    p.address = f.address("address");
    p.address6 = f.address("address6");
    if (p.address && p.address->family != Family::v4) f.fail("\"address\" is not IPv4");
    if (p.address6 && p.address6->family != Family::v6) f.fail("\"address6\" is not IPv6");
    p.has_psk = f.flag("has_psk");
    if (auto c = f.number("created")) p.created = from_seconds(*c);
    p.disabled = f.flag("disabled");
    if (auto e = f.number("expires")) p.expires = from_seconds(*e);
    p.quota_bytes = f.number("quota_bytes");
    if (p.quota_bytes) p.quota_period = f.text("quota_period", true);
    p.rate_bits = f.number("rate_bits");
    p.node = f.text("node", false);
    p.sealed_psk = f.text("psk_sealed", false);
    if (!p.sealed_psk.empty() && !p.has_psk) f.fail("\"psk_sealed\" without \"has_psk\"");
    if (auto nets = f.get("networks", json::value_t::array, false))
        for (const auto& n : *nets) {
            auto prefix = n.is_string() ? Prefix::parse(n.get<std::string>()) : std::nullopt;
            if (!prefix) {
                f.fail("an element of \"networks\" is not a network");
                break;
            }
            p.networks.push_back(*prefix);
        }
    const std::string expected_key_end = "/" + p.name;
    if (!f.error() && !std::string_view(key).ends_with(expected_key_end))
        f.fail("its \"name\" " + p.name + " is not the key's");
    if (f.error()) return *f.error();
    return p;
}

std::string encode_audit(const AuditEntry& a) {
    return json{{"time", seconds(a.time)},
                {"user", a.user},
                {"command", a.command},
                {"peer", a.peer},
                {"fields", a.fields}}
        .dump();
}

Result<AuditEntry> decode_audit(std::string_view key, std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(key, "not a JSON object");
    Fields f(key, j);
    AuditEntry a;
    if (auto t = f.number("time")) a.time = from_seconds(*t);
    a.user = f.text("user", true);
    a.command = f.text("command", true);
    a.peer = f.text("peer", false);
    a.fields = f.text("fields", false);
    if (f.error()) return *f.error();
    return a;
}

std::string encode_unsettled(const registry::Unsettled& u) {
    json j = {{"peer", u.peer}};
    if (u.before) j["before"] = json::parse(encode_peer(*u.before));
    return j.dump();
}

Result<registry::Unsettled> decode_unsettled(std::string_view key, std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(key, "not a JSON object");
    Fields f(key, j);
    registry::Unsettled u;
    u.peer = f.text("peer", true);
    if (f.error()) return *f.error();
    if (auto before = f.get("before", json::value_t::object, false)) {
        auto name = before->find("name");
        const std::string peer_key =
            "/" + (name != before->end() && name->is_string() ? name->get<std::string>() : "");
        auto p = decode_peer(peer_key, before->dump());
        if (!p) return bad(key, "its \"before\" record: " + p.error().message);
        u.before = std::move(*p);
    }
    if (f.error()) return *f.error();
    return u;
}

}  // namespace vpngw::fleet
