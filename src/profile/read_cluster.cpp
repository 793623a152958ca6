// [cluster]: this gateway's place in a fleet sharing one etcd registry
// (docs/fleet.md). Every string here ends up in keepalived.conf,
// conntrackd.conf, systemd units or an etcd key, so each is held to the
// narrow form those carry unchanged (names, safe paths, addresses).

#include <algorithm>

#include "escape/escape.hpp"
#include "model/vrrp_table.hpp"
#include "profile/names.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {
namespace {

bool is_loopback_host(const std::string& host) {
    if (host == "localhost") return true;
    auto a = parse_address(host);
    return a && (a->family == Family::v6 ? a->str() == "::1" : a->str().rfind("127.", 0) == 0);
}

std::optional<model::EtcdEndpoint> read_etcd_url(Context& ctx, const Text& text) {
    model::EtcdEndpoint e;
    e.where = text.where;
    std::string_view rest = text.value;
    if (rest.rfind("https://", 0) == 0) {
        rest.remove_prefix(8);
    } else if (rest.rfind("http://", 0) == 0) {
        e.tls = false;
        rest.remove_prefix(7);
    } else {
        ctx.error(text.where, "invalid etcd endpoint " + quoted(text.value) +
                                  ": expected a client URL \"https://host:port\"");
        return std::nullopt;
    }
    auto address = read_endpoint(ctx, Text{std::string(rest), text.where});
    if (!address) return std::nullopt;
    e.address = *address;
    return e;
}

// An absolute safe path to a PEM or key file (it is written into unit files).
std::optional<std::string> read_pem_path(Context& ctx, TableReader& r, std::string_view key) {
    auto text = r.string(key);
    if (!text) return std::nullopt;
    if (text->value.empty() || text->value.front() != '/') {
        ctx.error(text->where, "\"" + std::string(key) + "\" must be an absolute path, got " +
                                   quoted(text->value));
        return std::nullopt;
    }
    if (auto why = escape::unsafe_path_reason(text->value); !why.empty()) {
        ctx.error(text->where, "\"" + std::string(key) + "\" " + quoted(text->value) + ": " + why +
                                   "; " + escape::kSafePathRule);
        return std::nullopt;
    }
    return text->value;
}

// "/vpngw/" or "/vpngw/site-a/": keys are built by appending to it.
bool valid_prefix(std::string_view p) {
    if (p.size() < 2 || p.size() > 128 || p.front() != '/' || p.back() != '/') return false;
    if (p.find("//") != std::string_view::npos) return false;
    return std::all_of(p.begin(), p.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '-' || c == '_' || c == '.';
    });
}

void read_etcd(Context& ctx, TableReader& r, model::EtcdSettings& etcd) {
    auto urls = r.strings("etcd");
    if (!urls) {
        if (!r.has("etcd")) r.missing("etcd");
        return;
    }
    if (urls->empty()) ctx.error(r.at("etcd"), "\"etcd\" needs at least one client URL");
    for (const auto& url : *urls)
        if (auto e = read_etcd_url(ctx, url)) etcd.endpoints.push_back(*e);

    const bool any_tls = std::any_of(etcd.endpoints.begin(), etcd.endpoints.end(),
                                     [](const auto& e) { return e.tls; });
    const bool any_plain = std::any_of(etcd.endpoints.begin(), etcd.endpoints.end(),
                                       [](const auto& e) { return !e.tls; });
    if (any_tls && any_plain)
        ctx.error(r.at("etcd"), "\"etcd\" mixes https:// and http:// URLs; use https:// for all");
    for (const auto& e : etcd.endpoints)
        if (!e.tls && !is_loopback_host(e.address.host))
            ctx.warning(e.where, "etcd endpoint " + quoted(e.url()) +
                                     " is plain HTTP: the registry travels unencrypted and "
                                     "unauthenticated; use https:// with etcd_ca, etcd_cert "
                                     "and etcd_key");

    if (auto p = read_pem_path(ctx, r, "etcd_ca")) etcd.ca_file = *p;
    if (auto p = read_pem_path(ctx, r, "etcd_cert")) etcd.cert_file = *p;
    if (auto p = read_pem_path(ctx, r, "etcd_key")) etcd.key_file = *p;
    if (any_tls && !r.has("etcd_ca"))
        ctx.error(r.at("etcd"),
                  "https:// etcd endpoints need \"etcd_ca\", the CA file that "
                  "signed the etcd members' certificates");
    if (r.has("etcd_cert") != r.has("etcd_key"))
        ctx.error(r.has("etcd_cert") ? r.at("etcd_cert") : r.at("etcd_key"),
                  "\"etcd_cert\" and \"etcd_key\" go together (the client certificate and its "
                  "private key)");
    if (!any_tls)
        for (const char* key : {"etcd_ca", "etcd_cert", "etcd_key"})
            if (r.has(key))
                ctx.error(r.at(key), "\"" + std::string(key) +
                                         "\" needs https:// etcd endpoints (these are http://)");

    if (auto prefix = r.string("prefix")) {
        if (valid_prefix(prefix->value))
            etcd.prefix = prefix->value;
        else
            ctx.error(prefix->where,
                      "\"prefix\" " + quoted(prefix->value) +
                          " must start and end with '/' and be made of A-Z a-z 0-9 / - _ . "
                          "(at most 128 bytes, no \"//\"), e.g. \"/vpngw/\"");
    }
}

std::optional<model::Vrrp> read_vrrp(Context& ctx, TableReader& cluster,
                                     const std::vector<model::Uplink>& uplinks) {
    if (!cluster.has("vrrp")) return std::nullopt;
    const toml::table* table = cluster.table("vrrp");
    if (!table) return std::nullopt;
    model::Origin origin;
    TableReader r(ctx, *table, "[cluster.vrrp]", origin,
                  {"uplink", "address", "router_id", "priority", "interval", "unicast_peers"});
    model::Vrrp v;
    bool complete = true;
    if (auto uplink = r.reference("uplink")) {
        v.uplink = uplink->value;
        const bool known = std::any_of(uplinks.begin(), uplinks.end(),
                                       [&](const auto& u) { return u.name == uplink->value; });
        if (!known) {
            ctx.error(uplink->where,
                      "no [[uplink]] named " + quoted(uplink->value) + " for the virtual address");
            complete = false;
        }
    } else {
        if (!r.has("uplink")) r.missing("uplink");
        complete = false;
    }
    if (auto address = r.required_string("address")) {
        if (auto p = read_interface_address(ctx, *address))
            v.address = *p;
        else
            complete = false;
    } else {
        complete = false;
    }
    if (auto id = r.required_integer("router_id", 1, 255))
        v.router_id = static_cast<int>(id->value);
    else
        complete = false;
    if (auto p = r.integer("priority", 1, 254)) v.priority = static_cast<int>(p->value);
    if (auto i = r.integer("interval", 1, 255)) v.interval = static_cast<int>(i->value);
    if (auto peers = r.strings("unicast_peers"))
        for (const auto& text : *peers)
            if (auto a = read_address(ctx, text, "unicast_peers", v.address.family()))
                v.unicast_peers.push_back(*a);
    if (!complete) return std::nullopt;
    return v;
}

std::optional<model::SyncLink> read_sync(Context& ctx, TableReader& cluster, bool has_vrrp) {
    if (!cluster.has("sync")) return std::nullopt;
    const toml::table* table = cluster.table("sync");
    if (!table) return std::nullopt;
    model::Origin origin;
    TableReader r(ctx, *table, "[cluster.sync]", origin, {"device", "address", "peer"});
    model::SyncLink s;
    bool complete = true;
    if (auto device = r.required_string("device")) {
        check_name(ctx, *device, "device name");
        s.device = device->value;
    } else {
        complete = false;
    }
    std::optional<IpAddress> address, peer;
    if (auto text = r.required_string("address")) address = read_address(ctx, *text, "address", {});
    if (auto text = r.required_string("peer")) peer = read_address(ctx, *text, "peer", {});
    if (address && peer && address->family != peer->family)
        ctx.error(r.at("peer"), "\"peer\" must be of the same family as \"address\"");
    if (!has_vrrp)
        ctx.error(r.where(),
                  "[cluster.sync] needs [cluster.vrrp]: connection state is synced "
                  "for failover of the virtual address");
    if (!complete || !address || !peer) return std::nullopt;
    s.address = *address;
    s.peer = *peer;
    return s;
}

// keepalived's table (model::kVrrpSourceTable) holds one route, from the
// virtual address by the VRRP uplink, while this member is MASTER: an uplink
// given it explicitly would share it and lose its own routes to keepalived.
void reserve_vrrp_table(Context& ctx, const std::vector<model::Uplink>& uplinks) {
    for (const auto& u : uplinks)
        if (u.table_explicit && u.table == model::kVrrpSourceTable)
            ctx.error(u.origin.at("table"),
                      "routing table " + std::to_string(u.table) +
                          " is reserved: keepalived uses it (with rule priority " +
                          std::to_string(model::kVrrpSourceRulePriority) +
                          ") to send WireGuard's packets from the virtual address of "
                          "[cluster.vrrp]; choose another table");
}

}  // namespace

std::optional<model::Cluster> read_cluster(Context& ctx, TableReader& root,
                                           const std::vector<model::Uplink>& uplinks) {
    if (!root.has("cluster")) return std::nullopt;
    const toml::table* table = root.table("cluster");
    if (!table) return std::nullopt;
    model::Cluster c;
    model::Origin origin;
    TableReader r(ctx, *table, "[cluster]", origin,
                  {"node", "etcd", "etcd_ca", "etcd_cert", "etcd_key", "prefix", "secret_file",
                   "vrrp", "sync"});
    c.where = r.where();
    if (auto node = r.required_string("node")) {
        check_name(ctx, *node, "name");
        c.node = node->value;
    }
    read_etcd(ctx, r, c.etcd);
    if (auto p = read_pem_path(ctx, r, "secret_file")) c.secret_file = *p;
    c.vrrp = read_vrrp(ctx, r, uplinks);
    if (r.has("vrrp")) reserve_vrrp_table(ctx, uplinks);
    c.sync = read_sync(ctx, r, r.has("vrrp"));
    return c;
}

}  // namespace vpngw::profile
