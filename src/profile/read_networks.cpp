#include "profile/names.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

// A [[network]] is a group whose clients sit behind a local device instead of
// a WireGuard interface, so it is read into a model::Group and every rule
// built for groups (egress, NAT, isolation, allow lists) applies to it.
static model::Group read_local_network(Context& ctx, const toml::table& table) {
    model::Group g;
    TableReader r(ctx, table, "[[network]]", g.origin,
                  {"name", "device", "create", "address", "subnet", "subnet6", "egress", "fallback", "isolate",
                   "allow", "max_connections", "proxy"});
    if (auto name = r.required_string("name")) {
        check_name(ctx, *name, "name");
        g.name = name->value;
    }
    if (auto device = r.required_string("device")) {
        check_name(ctx, *device, "device name");
        g.device = device->value;
    }
    if (auto create = r.choice<bool>("create", {{"bridge", true}})) g.create_bridge = true;

    read_subnets(ctx, r, g, "network");

    // The gateway's own addresses on a bridge it creates; on a device it
    // merely uses, addresses are the device owner's business.
    if (auto addresses = r.strings("address")) {
        if (!g.create_bridge)
            ctx.error(r.at("address"),
                      "\"address\" is only allowed with create = \"bridge\": vpngw never changes "
                      "the addresses of a device it did not create");
        for (const auto& text : *addresses)
            if (auto p = read_interface_address(ctx, text)) {
                const auto& subnet = p->family() == Family::v4 ? g.subnet : g.subnet6;
                if (subnet && !subnet->contains(p->addr))
                    ctx.error(text.where, "address " + p->str() + " of network " + quoted(g.name) +
                                              " is outside its subnet " + subnet->str());
                g.addresses.push_back(*p);
            }
    }

    read_source_policy(ctx, r, g);
    // Networks have no WireGuard clients to configure.
    g.keepalive = 0;
    return g;
}

std::vector<model::Group> read_networks(Context& ctx, TableReader& root) {
    std::vector<model::Group> out;
    for (const toml::table* t : root.tables("network")) out.push_back(read_local_network(ctx, *t));
    return out;
}

}  // namespace vpngw::profile
