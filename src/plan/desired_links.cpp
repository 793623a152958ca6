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
    return links;
}

std::vector<state::Address> desired_addresses(const model::Profile& profile) {
    std::vector<state::Address> addresses;
    for (const auto& iface : profile.interfaces)
        for (const auto& prefix : iface.addresses)
            addresses.push_back({iface.name, prefix, iface.origin.at("address")});
    return addresses;
}

}  // namespace vpngw::plan::detail
