#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {

// Traffic from VPN clients is classified once by source address: the peer
// maps jump to the chain of the peer's group, which ends with its own verdict.
// A source no peer owns is spoofed (WireGuard's allowed-ips admit it only if
// a peer was given a wider range by hand) and dropped on its own counter.
std::string render_forward(const Context& ctx) {
    const bool drop = ctx.profile.firewall.forward == model::Policy::drop;
    std::vector<std::string> rules = {
        "ct state established,related accept",
        "ct state invalid drop",
        // Port forwards were admitted (and source-filtered) by the DNAT rules.
        "ct status dnat accept",
    };
    if (!ctx.wg_interfaces.empty()) {
        const std::string from_wg = "iifname " + ifname_match(ctx.wg_interfaces) + " ";
        if (!ctx.vpn_nets4.empty()) rules.push_back(from_wg + "ip saddr vmap @peers4");
        if (!ctx.vpn_nets6.empty()) rules.push_back(from_wg + "ip6 saddr vmap @peers6");
        rules.push_back(from_wg + "counter name spoofed_drops drop");
    }
    for (auto& r : network_forward_rules(ctx)) rules.push_back(std::move(r));
    if (drop)
        for (auto& r : drop_accounting(ctx, "forward")) rules.push_back(std::move(r));
    return chain("forward",
                 std::string("type filter hook forward priority filter; policy ") +
                     model::to_string(ctx.profile.firewall.forward) + ";",
                 rules);
}

}  // namespace vpngw::plan::nft
