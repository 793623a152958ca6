// The input rules a fleet member needs from its peers (docs/fleet.md): VRRP
// advertisements (IP protocol 112) on the uplink keepalived holds the
// virtual address on, and conntrackd's FTFW messages from the other member
// on the sync link. Without them a drop policy would hide each member from
// the other: both would take the address and nothing would be synced.
#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {

void cluster_input(const Context& ctx, std::vector<std::string>& rules) {
    if (!ctx.profile.cluster) return;
    const model::Cluster& c = *ctx.profile.cluster;
    if (c.vrrp)
        if (const model::Uplink* u = ctx.profile.find_uplink(c.vrrp->uplink)) {
            const bool v4 = c.vrrp->address.addr.is_v4();
            rules.push_back("iifname " + quoted(u->device) + " " +
                            (v4 ? "ip protocol" : "ip6 nexthdr") + " " +
                            std::to_string(model::kVrrpProtocol) + " accept");
        }
    if (c.sync)
        rules.push_back("iifname " + quoted(c.sync->device) + " " +
                        ip_keyword(c.sync->peer.family) + " saddr " + c.sync->peer.str() +
                        " udp dport " + std::to_string(model::kConntrackdPort) + " accept");
}

}  // namespace vpngw::plan::nft
