#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

bool any_egress(const Context& ctx, Family f) {
    for (const auto& g : ctx.profile.groups) {
        const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
        if (subnet && g.egress && ctx.profile.find_uplink(*g.egress)) return true;
    }
    return false;
}

}  // namespace

// Connection marks carry the uplink a connection belongs to: set on its first
// packet (by the uplink it arrived on, or by the egress of the VPN group it
// came from, WireGuard or local network) and copied to every later packet, so policy routing sends
// replies and the rest of the flow through the same uplink.
std::string render_prerouting(const Context& ctx) {
    std::vector<std::string> rules;
    const bool has_clients = !ctx.client_devices.empty();
    const bool egress4 = has_clients && any_egress(ctx, Family::v4);
    const bool egress6 = has_clients && any_egress(ctx, Family::v6);
    if (ctx.profile.uplinks.empty() && !egress4 && !egress6) return "";
    // A source that lives behind a client device (a VPN or network subnet,
    // the gateway's own address there) arriving on an uplink is spoofed:
    // dropped before the DNAT rules could take it for a client's hairpin, and
    // before the connection-mark fast path, so no packet of an established
    // connection can be injected from outside either. One set lookup per
    // family, whatever the number of groups.
    std::vector<std::string> uplink_devices;
    for (const auto& u : ctx.profile.uplinks) uplink_devices.push_back(u.device);
    if (!uplink_devices.empty())
        for (Family f : {Family::v4, Family::v6})
            if (!ctx.vpn_sources(f).empty())
                rules.push_back("iifname " + ifname_match(uplink_devices) + " " + ip_keyword(f) +
                                " saddr @vpn_sources" + family_digit(f) +
                                " counter name spoofed_drops drop");
    // A connection's mark is set once, on its first packet: every later
    // packet (established, or still "new" like one-way UDP) only restores it
    // and leaves the chain after this one rule.
    rules.push_back("ct mark != 0 meta mark set ct mark accept");
    // The packet itself carries the mark too: the reverse-path filter and
    // the kernel's own answers to it (fwmark_reflect, tcp_fwmark_accept)
    // then use the uplink's table.
    for (const auto& u : ctx.profile.uplinks)
        rules.push_back("iifname " + quoted(u.device) + " ct state new meta mark set " +
                        mark(u.fwmark) + " ct mark set meta mark");
    const std::string from_wg = "iifname " + ifname_match(ctx.client_devices) + " ct state new ";
    // A source outside every egress subnet misses the map and ends the rule:
    // its connection keeps mark 0, as before.
    if (egress4)
        rules.push_back(from_wg + "meta mark set ip saddr map @egress4 ct mark set meta mark");
    if (egress6)
        rules.push_back(from_wg + "meta mark set ip6 saddr map @egress6 ct mark set meta mark");
    if (has_clients)
        for (auto& rule : balance_rules(ctx, from_wg))
            rules.push_back(std::move(rule) + " ct mark set meta mark");
    return chain("prerouting", "type filter hook prerouting priority mangle; policy accept;",
                 rules);
}

// The gateway's own replies (SSH, WireGuard handshakes) follow the mark of
// their connection too; a route chain re-routes after the mark changes.
// Packets that already carry a mark (WireGuard's fwmark) keep it.
std::string render_output(const Context& ctx) {
    if (ctx.profile.uplinks.empty()) return "";
    return chain("output", "type route hook output priority mangle; policy accept;",
                 {"meta mark 0 ct mark != 0 meta mark set ct mark"});
}

}  // namespace vpngw::plan::nft
