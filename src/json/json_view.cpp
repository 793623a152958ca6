#include "json/json_view.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "json/values.hpp"
#include "model/peer_limits.hpp"
#include "registry/peer_text.hpp"

namespace vpngw::json {

namespace {

Json address(const std::optional<IpAddress>& a) {
    return a ? Json(a->str()) : Json(nullptr);
}

// An object on one line, with the ", " and ": " separators people read
// (nlohmann's compact form has none).
std::string dump_line(const Json& object) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : object.items()) {
        out += first ? "" : ", ";
        first = false;
        out += Json(key).dump() + ": " + value.dump();
    }
    return out + "}";
}

// The lifecycle fields every peer object carries: disabled, expired,
// expires (ISO 8601 UTC or null), quota ("50GiB/month" or null), rate
// ("20mbit" or null), networks (CIDRs).
void add_lifecycle(Json& j, bool disabled, bool expired,
                   const std::optional<std::chrono::sys_seconds>& expires,
                   const std::optional<model::Quota>& quota,
                   const std::optional<std::uint64_t>& rate, const std::vector<Prefix>& networks) {
    j["disabled"] = disabled;
    j["expired"] = expired;
    j["expires"] = expires ? Json(model::format_time(*expires)) : Json(nullptr);
    j["quota"] = quota ? Json(model::format_quota(*quota)) : Json(nullptr);
    j["rate"] = rate ? Json(model::format_rate(*rate)) : Json(nullptr);
    j["networks"] = Json::array();
    for (const auto& n : networks) j["networks"].push_back(n.str());
}

}  // namespace

Json peer_value(const gateway::PeerListEntry& p, std::int64_t now) {
    Json j;
    j["name"] = p.name;
    j["group"] = p.group;
    j["interface"] = p.interface;
    j["address"] = address(p.address);
    j["address6"] = address(p.address6);
    j["public_key"] = p.public_key.base64();
    j["source"] = p.source == gateway::PeerListEntry::Source::state ? "state" : "profile";
    add_lifecycle(j, p.disabled, p.expired, p.expires, p.quota, p.rate_bits, p.networks);
    if (p.stats) {
        const auto& s = *p.stats;
        j["endpoint"] = s.endpoint ? Json(s.endpoint->str()) : Json(nullptr);
        j["latest_handshake"] = s.last_handshake_sec;
        j["handshake_age_seconds"] =
            s.last_handshake_sec ? Json(std::max<std::int64_t>(0, now - s.last_handshake_sec))
                                 : Json(nullptr);
        j["rx_bytes"] = s.rx_bytes;
        j["tx_bytes"] = s.tx_bytes;
    } else {
        for (const char* k :
             {"endpoint", "latest_handshake", "handshake_age_seconds", "rx_bytes", "tx_bytes"})
            j[k] = nullptr;
    }
    return j;
}

namespace {

// A JSON string as nlohmann's dump writes it. Names, groups, keys and
// addresses are plain printable ASCII: copied; anything else is left to
// nlohmann (its escapes, its UTF-8 check).
void append_string(std::string& out, std::string_view s) {
    for (const char c : s)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            out += Json(std::string(s)).dump();
            return;
        }
    out += '"';
    out += s;
    out += '"';
}

template <typename Int>
void append_int(std::string& out, Int v) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, end);
}

void append_optional_string(std::string& out, const std::optional<std::string>& s) {
    if (s)
        append_string(out, *s);
    else
        out += "null";
}

template <typename T, typename Text>
std::optional<std::string> text_of(const std::optional<T>& v, Text text) {
    return v ? std::optional<std::string>(text(*v)) : std::nullopt;
}

}  // namespace

void append_peer_line(std::string& out, const gateway::PeerListEntry& p, std::int64_t now) {
    out += "{\"name\": ";
    append_string(out, p.name);
    out += ", \"group\": ";
    append_string(out, p.group);
    out += ", \"interface\": ";
    append_string(out, p.interface);
    out += ", \"address\": ";
    append_optional_string(out, text_of(p.address, [](const auto& a) { return a.str(); }));
    out += ", \"address6\": ";
    append_optional_string(out, text_of(p.address6, [](const auto& a) { return a.str(); }));
    out += ", \"public_key\": ";
    append_string(out, p.public_key.base64());
    out += p.source == gateway::PeerListEntry::Source::state ? ", \"source\": \"state\""
                                                             : ", \"source\": \"profile\"";
    out += p.disabled ? ", \"disabled\": true" : ", \"disabled\": false";
    out += p.expired ? ", \"expired\": true" : ", \"expired\": false";
    out += ", \"expires\": ";
    append_optional_string(out, text_of(p.expires, model::format_time));
    out += ", \"quota\": ";
    append_optional_string(out, text_of(p.quota, model::format_quota));
    out += ", \"rate\": ";
    append_optional_string(out, text_of(p.rate_bits, model::format_rate));
    out += ", \"networks\": [";  // compact inside, as nlohmann dumps a value
    for (std::size_t i = 0; i < p.networks.size(); ++i) {
        if (i) out += ',';
        append_string(out, p.networks[i].str());
    }
    out += ']';
    if (!p.stats) {
        out +=
            ", \"endpoint\": null, \"latest_handshake\": null, \"handshake_age_seconds\": null, "
            "\"rx_bytes\": null, \"tx_bytes\": null}";
        return;
    }
    const auto& s = *p.stats;
    out += ", \"endpoint\": ";
    append_optional_string(out, text_of(s.endpoint, [](const auto& e) { return e.str(); }));
    out += ", \"latest_handshake\": ";
    append_int(out, s.last_handshake_sec);
    out += ", \"handshake_age_seconds\": ";
    if (s.last_handshake_sec)
        append_int(out, std::max<std::int64_t>(0, now - s.last_handshake_sec));
    else
        out += "null";
    out += ", \"rx_bytes\": ";
    append_int(out, s.rx_bytes);
    out += ", \"tx_bytes\": ";
    append_int(out, s.tx_bytes);
    out += '}';
}

void PeerListJson::add(std::string& out, const gateway::PeerListEntry& p, std::int64_t now) {
    out += count_++ ? ",\n  " : "\n  ";
    append_peer_line(out, p, now);
}

std::string_view PeerListJson::end() const {
    return count_ ? "\n]}\n" : "]}\n";
}

std::string peer_list_json(const gateway::PeerListing& listing, std::int64_t now) {
    PeerListJson list;
    std::string out(PeerListJson::begin());
    for (const auto& p : listing.peers) list.add(out, p, now);
    out += list.end();
    return out;
}

std::string peer_export_json(const std::vector<registry::PeerRecord>& peers) {
    const auto now = gateway::now_utc();
    std::string out = "{\"version\": 1, \"peers\": [";
    bool first = true;
    for (const auto& p : peers) {
        Json j;
        j["name"] = p.name;
        j["group"] = p.group;
        j["public_key"] = p.public_key.base64();
        j["address"] = address(p.address);
        j["address6"] = address(p.address6);
        j["psk"] = p.has_psk;
        j["created"] = model::format_time(p.created);
        add_lifecycle(j, p.disabled, p.expires && *p.expires <= now, p.expires,
                      registry::quota_of(p), p.rate_bits, p.networks);
        out += first ? "\n  " : ",\n  ";
        first = false;
        out += dump_line(j);
    }
    return out + (first ? "]}\n" : "\n]}\n");
}

std::string audit_json(const std::vector<registry::AuditEntry>& entries) {
    std::string out = "{\"log\": [";
    bool first = true;
    for (const auto& e : entries) {
        Json j;
        j["time"] = model::format_time(e.time);
        j["user"] = e.user;
        j["command"] = e.command;
        j["peer"] = e.peer.empty() ? Json(nullptr) : Json(e.peer);
        j["fields"] = e.fields;
        out += first ? "\n  " : ",\n  ";
        first = false;
        out += dump_line(j);
    }
    return out + (first ? "]}\n" : "\n]}\n");
}

std::string status_json(const gateway::StatusReport& r) {
    return status_value(r).dump(2) + "\n";
}

Json status_value(const gateway::StatusReport& r) {
    Json j;
    j["time"] = r.now;
    j["profile"] = r.profile;
    j["interfaces"] = Json::array();
    for (const auto& i : r.interfaces)
        j["interfaces"].push_back(
            {{"name", i.name},
             {"backend", i.backend},
             {"up", i.up},
             {"listen_port", i.up ? Json(i.listen_port) : Json(nullptr)},
             {"public_key", i.public_key ? Json(i.public_key->base64()) : Json(nullptr)}});
    j["groups"] = Json::array();
    for (const auto& g : r.groups)
        j["groups"].push_back({{"name", g.name},
                               {"interface", g.interface},
                               {"peers", g.peers},
                               {"online", g.online},
                               {"rx_bytes", g.rx_bytes},
                               {"tx_bytes", g.tx_bytes}});
    j["uplinks"] = Json::array();
    for (const auto& u : r.uplinks)
        j["uplinks"].push_back(
            {{"name", u.name},
             {"device", u.device},
             {"health", u.checked ? Json(u.health) : Json(nullptr)},
             {"last_probe", u.last_probe ? Json(u.last_probe) : Json(nullptr)},
             {"failures", u.failures},
             {"last_error", u.last_error.empty() ? Json(nullptr) : Json(u.last_error)}});
    j["balance"] = Json::array();
    for (const auto& b : r.balance) {
        Json shares = Json::array();
        for (const auto& s : b.shares)
            shares.push_back({{"uplink", s.uplink},
                              {"weight", s.weight},
                              {"numbers", s.numbers},
                              {"percent", s.percent}});
        j["balance"].push_back({{"group", b.group}, {"total", b.total}, {"shares", shares}});
    }
    j["peers"] = Json::array();
    for (const auto& p : r.peers) {
        Json pj = peer_value(p.peer, r.now);
        pj["up"] = p.peer.stats.has_value();
        pj["online"] = p.online;
        pj["quota"] = p.quota_limit ? Json{{"limit_bytes", *p.quota_limit},
                                           {"used_bytes", p.quota_used.value_or(0)}}
                                    : Json(nullptr);
        j["peers"].push_back(std::move(pj));
    }
    j["conntrack"] = r.conntrack ? Json{{"count", r.conntrack->count},
                                        {"max", r.conntrack->max},
                                        {"warning", r.conntrack->warning()}}
                                 : Json(nullptr);
    if (r.drops) {
        j["drops"] = Json::object();
        for (const auto& d : *r.drops)
            j["drops"][d.name] = {{"packets", d.packets}, {"bytes", d.bytes}};
    } else {
        j["drops"] = nullptr;
    }
    j["pending"] = r.pending ? Json{{"profile", r.pending->apply.profile},
                                    {"deadline", r.pending->apply.deadline},
                                    {"seconds_left", r.pending->left.count()}}
                             : Json(nullptr);
    j["last_apply"] = r.last_apply ? Json{{"finished", r.last_apply->finished},
                                          {"duration_ms", r.last_apply->duration_ms},
                                          {"result", r.last_apply->ok ? "ok" : "failed"},
                                          {"changes", r.last_apply->changes}}
                                   : Json(nullptr);
    j["drift"] = {{"known", r.drift.known},
                  {"drifted", r.drift.known && !r.drift.changes.empty()},
                  {"changes", r.drift.changes},
                  {"error", r.drift.known ? Json(nullptr) : Json(r.drift.error)}};
    j["cluster"] = r.cluster ? cluster_value(*r.cluster) : Json(nullptr);
    j["notes"] = r.notes;
    return j;
}

}  // namespace vpngw::json
