#include "profile/names.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

using model::Tunnel;

static model::Group read_group(Context& ctx, const toml::table& table) {
    model::Group g;
    TableReader r(ctx, table, "[[group]]", g.origin,
                  {"name", "interface", "subnet", "subnet6", "egress", "fallback", "isolate", "allow", "dns",
                   "tunnel", "keepalive", "max_connections", "proxy"});
    if (auto name = r.required_string("name")) {
        check_name(ctx, *name, "name");
        g.name = name->value;
    }
    // Whether the interface exists, or may be left out, is decided with all
    // interfaces known (see references.cpp).
    if (auto interface = r.reference("interface")) g.interface = interface->value;

    read_subnets(ctx, r, g, "group");
    read_source_policy(ctx, r, g);
    if (auto dns = r.strings("dns"))
        for (const auto& text : *dns)
            if (auto a = read_address(ctx, text, "dns", std::nullopt)) g.dns.push_back(*a);
    if (auto tunnel =
            r.choice<Tunnel>("tunnel", {{"full", Tunnel::full}, {"split", Tunnel::split}}))
        g.tunnel = tunnel->value;
    if (auto keepalive = r.integer("keepalive", 0, 65535))
        g.keepalive = static_cast<int>(keepalive->value);
    return g;
}

// What groups and networks share: where their traffic leaves, whom it may
// reach, how many connections a client may hold, and its transparent proxies.
void read_subnets(Context& ctx, TableReader& r, model::Group& g, const char* kind) {
    if (auto subnet = r.string("subnet"))
        g.subnet = read_network(ctx, *subnet, "subnet", Family::v4, false);
    if (auto subnet = r.string("subnet6"))
        g.subnet6 = read_network(ctx, *subnet, "subnet6", Family::v6, false);
    if (!r.has("subnet") && !r.has("subnet6"))
        ctx.error(r.where(), std::string(kind) + " " + quoted(g.name) +
                                 " needs \"subnet\" or \"subnet6\" (or both)");
}

void read_source_policy(Context& ctx, TableReader& r, model::Group& g) {
    read_egress(ctx, r, g);
    if (auto isolate = r.boolean("isolate")) g.isolate = isolate->value;
    if (auto allow = r.strings("allow"))
        for (const auto& text : *allow)
            if (auto entry = read_allow_entry(ctx, text)) g.allow.push_back(*entry);
    if (auto limit = r.integer("max_connections", 1, 1000000))
        g.max_connections = static_cast<std::uint32_t>(limit->value);
    g.proxies = read_proxies(ctx, r, g.name);
}

std::vector<model::Group> read_groups(Context& ctx, TableReader& root) {
    std::vector<model::Group> out;
    for (const toml::table* t : root.tables("group")) out.push_back(read_group(ctx, *t));
    return out;
}

}  // namespace vpngw::profile
