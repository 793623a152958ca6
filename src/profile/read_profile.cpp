#include "profile/read_profile.hpp"

#include "profile/checks.hpp"
#include "profile/sections.hpp"

namespace vpngw::profile {

model::Profile read_profile(Context& ctx, const toml::table& root) {
    model::Profile p;
    p.source = ctx.file;
    model::Origin root_origin;
    TableReader r(ctx, root, "", root_origin,
                  {"gateway", "uplink", "interface", "group", "network", "forward", "firewall",
                   "peer", "dns", "cluster"});

    // [firewall] first: its nat is the default of every uplink.
    std::optional<Located<model::NatMode>> default_nat;
    read_gateway(ctx, r, p.gateway);
    read_firewall(ctx, r, p.firewall, default_nat);
    p.uplinks = read_uplinks(ctx, r, default_nat);
    p.interfaces = read_interfaces(ctx, r, p.gateway.state_dir);
    p.groups = read_groups(ctx, r);
    // Networks share the groups' namespace, so `group:NAME` reaches them too.
    for (auto& n : read_networks(ctx, r)) p.groups.push_back(std::move(n));
    p.forwards = read_forwards(ctx, r);
    p.peers = read_peers(ctx, r);
    p.dns = read_dns(ctx, r);
    p.cluster = read_cluster(ctx, r, p.uplinks);

    resolve_references(ctx, p);
    apply_dns(ctx, p);
    check_unique(ctx, p);
    check_addressing(ctx, p);
    check_proxies(ctx, p);
    check_allow_lists(ctx, p);
    check_forward_answers(ctx, p);
    check_fallbacks(ctx, p);
    allocate_uplink_ids(p);
    return p;
}

}  // namespace vpngw::profile
