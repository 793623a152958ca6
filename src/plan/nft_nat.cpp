#include <set>

#include "model/forward_source.hpp"
#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

const char* proto_name(model::Proto p) {
    return p == model::Proto::udp ? "udp" : "tcp";
}

// "ct label set 127 dnat ip to 10.8.2.10:443" (or "... dnat ip6 to
// [fd08::10]:443"): the label tells the forward chain this DNAT is vpngw's.
std::string dnat_target(const model::Forward& f) {
    const Family fam = f.to.family;
    std::string host = fam == Family::v4 ? f.to.str() : "[" + f.to.str() + "]";
    return "ct label set " + std::to_string(kAdmittedLabel) + " dnat " + ip_keyword(fam) + " to " +
           host + ":" + std::to_string(f.to_port);
}

// The source restriction of a forward, or nullopt when it allows no source of
// the target's family (a forward to an IPv4 host only ever sees IPv4).
std::optional<std::string> source_match(const model::Forward& f) {
    if (f.allow_from.empty()) return "";
    std::vector<std::string> sources;
    for (const auto& p : f.allow_from)
        if (p.family() == f.to.family) sources.push_back(p.network().str());
    if (sources.empty()) return std::nullopt;
    return std::string(ip_keyword(f.to.family)) + " saddr " + value_or_set(sources) + " ";
}

std::string service(const model::Forward& f) {
    return std::string(proto_name(f.proto)) + " dport " + std::to_string(f.port);
}

}  // namespace

std::string render_nat_prerouting(const Context& ctx) {
    std::vector<std::string> rules;
    for (const auto& f : ctx.profile.forwards) {
        const auto* uplink = ctx.profile.find_uplink(f.uplink);
        auto sources = source_match(f);
        if (!uplink || !sources) continue;
        rules.push_back("iifname " + quoted(uplink->device) + " " + *sources + service(f) + " " +
                        dnat_target(f));
    }
    // Hairpin: VPN clients reaching a forward through the gateway's public
    // address (their traffic does not come in on the uplink). Only from the
    // client devices: a VPN source arriving anywhere else is spoofed, and
    // must not pass for a client (it would skip the forward's allow_from).
    for (const auto& f : ctx.profile.forwards) {
        const Family fam = f.to.family;
        if (!ctx.profile.find_uplink(f.uplink) || ctx.vpn_nets(fam).empty() ||
            ctx.client_devices.empty())
            continue;
        rules.push_back("iifname " + ifname_match(ctx.client_devices) + " " + ip_keyword(fam) +
                        " saddr @vpn_nets" + family_digit(fam) + " fib daddr type local " +
                        service(f) + " " + dnat_target(f));
    }
    if (rules.empty()) return "";
    return chain("nat_prerouting", "type nat hook prerouting priority dstnat; policy accept;",
                 rules);
}

std::string render_nat_postrouting(const Context& ctx) {
    std::vector<std::string> rules;
    for (const auto& u : ctx.profile.uplinks) {
        if (u.nat == model::NatMode::none) continue;
        const std::string out = "oifname " + quoted(u.device) + " ";
        if (!ctx.vpn_nets4.empty())
            rules.push_back(out + "ip saddr @vpn_nets4 " +
                            (u.nat == model::NatMode::snat && u.snat_to
                                 ? "snat ip to " + u.snat_to->str()
                                 : std::string("masquerade")));
        // VPN clients' IPv6 addresses are private (ULA) like their IPv4 ones.
        if (!ctx.vpn_nets6.empty())
            rules.push_back(out + "ip6 saddr @vpn_nets6 " +
                            (u.nat == model::NatMode::snat && u.snat_to6
                                 ? "snat ip6 to " + u.snat_to6->str()
                                 : std::string("masquerade")));
    }
    // Forwards to split-tunnel clients (model/forward_source.hpp): every
    // connection vpngw forwarded arrives from the gateway's address on the
    // target's device, which the client's AllowedIPs route back.
    // Hairpinned forwards: the target must answer through the gateway, not
    // straight back to the VPN client it does not know is behind a DNAT.
    std::set<std::string> seen;
    for (const auto& f : ctx.profile.forwards) {
        const Family fam = f.to.family;
        if (!ctx.profile.find_uplink(f.uplink)) continue;
        const std::string target = std::string(ip_keyword(fam)) + " daddr " + f.to.str() + " " +
                                   proto_name(f.proto) + " dport " + std::to_string(f.to_port);
        std::string rule;
        if (model::forward_from_gateway(ctx.profile, f))
            rule =
                target + " ct status dnat ct label " + std::to_string(kAdmittedLabel) + " masquerade";
        else if (!ctx.vpn_nets(fam).empty())
            rule = std::string(ip_keyword(fam)) + " saddr @vpn_nets" + family_digit(fam) + " " +
                   target + " ct status dnat masquerade";
        if (!rule.empty() && seen.insert(rule).second) rules.push_back(rule);
    }
    if (rules.empty()) return "";
    return chain("nat_postrouting", "type nat hook postrouting priority srcnat; policy accept;",
                 rules);
}

}  // namespace vpngw::plan::nft
