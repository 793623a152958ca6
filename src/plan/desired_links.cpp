#include "plan/desired_parts.hpp"

namespace vpngw::plan::detail {

std::vector<state::Link> desired_links(const model::Profile& profile) {
    std::vector<state::Link> links;
    for (const auto& iface : profile.interfaces) {
        state::Link link;
        link.name = iface.name;
        link.kind = "wireguard";
        link.mtu = iface.mtu;
        link.up = true;
        link.origin = iface.origin.table;
        links.push_back(std::move(link));
    }
    // Bridges a [[network]] asks vpngw to create; devices a network merely
    // uses are not vpngw's and appear nowhere here.
    for (const auto& g : profile.groups) {
        if (!g.create_bridge) continue;
        state::Link link;
        link.name = g.device;
        link.kind = "bridge";
        link.mtu = 1500;
        link.up = true;
        link.origin = g.origin.at("create");
        links.push_back(std::move(link));
    }
    return links;
}

std::vector<state::Address> desired_addresses(const model::Profile& profile) {
    std::vector<state::Address> addresses;
    for (const auto& iface : profile.interfaces)
        for (const auto& prefix : iface.addresses)
            addresses.push_back({iface.name, prefix, iface.origin.at("address")});
    for (const auto& g : profile.groups)
        if (g.create_bridge)
            for (const auto& prefix : g.addresses)
                addresses.push_back({g.device, prefix, g.origin.at("address")});
    return addresses;
}

}  // namespace vpngw::plan::detail
