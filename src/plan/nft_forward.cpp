#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {

// Traffic from VPN clients is classified once by source address: it must be
// a peer's (the peer set), and the group subnet it lies in (group subnets
// never overlap, peers lie inside theirs) picks the group's chain, which ends
// with its own verdict. Two lookups whatever the number of groups or peers.
// A source no peer owns is spoofed (WireGuard's allowed-ips admit it only if
// a peer was given a wider range by hand) and dropped on its own counter.
std::string render_forward(const Context& ctx) {
    const bool drop = ctx.profile.firewall.forward == model::Policy::drop;
    std::vector<std::string> rules;
    if (has_rate_or_quota(ctx)) rules.push_back(std::string("jump ") + kLimitsChain);
    // MSS clamping: every forwarded SYN and SYN-ACK (both directions, so the
    // rule stands before the established accept that would take the SYN-ACK)
    // gets its MSS lowered to what the route it leaves by can carry (the
    // kernel only ever lowers it). A tunnel or a PPPoE uplink then never sees
    // segments it must fragment or answer with ICMP a filter may drop. One
    // rule for all devices: everything vpngw forwards comes from or goes to a
    // client device, and clamping to the route's own MTU is harmless elsewhere.
    if (ctx.profile.firewall.mss_clamp)
        rules.push_back("tcp flags syn tcp option maxseg size set rt mtu");
    rules.push_back("ct state established,related accept");
    rules.push_back("ct state invalid drop");
    // A connection vpngw admitted before carries the label: port forwards
    // (set by vpngw's DNAT rules, which filtered their sources) and every
    // connection a group chain accepted (set with the accept). Its later
    // packets, even while it is still "new" (one-way UDP: DNS, QUIC, games
    // before the first answer), skip the classification below, as an
    // established one does. Other tables' DNATs (a container engine's) carry
    // no label and get no pass here.
    rules.push_back("ct label " + std::to_string(kAdmittedLabel) + " accept");
    if (!ctx.wg_interfaces.empty()) {
        const std::string from_wg = "iifname " + ifname_match(ctx.wg_interfaces) + " ";
        for (Family f : {Family::v4, Family::v6}) {
            std::vector<std::string> jumps;
            for (const auto& g : ctx.profile.groups)
                if (const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
                    subnet && !g.is_network())
                    jumps.push_back(subnet->network().str() + " : jump " + group_chain(g.name));
            if (jumps.empty()) continue;
            const std::string saddr = std::string(ip_keyword(f)) + " saddr ";
            std::string vmap = "{ ";
            for (std::size_t i = 0; i < jumps.size(); ++i) vmap += (i ? ", " : "") + jumps[i];
            rules.push_back(from_wg + saddr + "@" + peer_set(f) + " " + saddr + "vmap " + vmap +
                            " }");
        }
        // Hosts behind a peer (its `networks`): WireGuard admitted them only
        // from that peer (its allowed-ips), so the prefix names the group.
        // Only sources no peer owns get here: peers never pay this lookup.
        for (Family f : {Family::v4, Family::v6})
            rules.push_back(from_wg + ip_keyword(f) + " saddr vmap @" + peer_nets_map(f));
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
