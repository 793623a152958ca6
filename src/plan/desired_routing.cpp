#include <algorithm>

#include "plan/desired_parts.hpp"

namespace vpngw::plan::detail {
namespace {

constexpr std::uint32_t kMainTable = 254;
// Rule priorities inside vpngw's range: the main-table rule first (after the
// TPROXY rule when there is one, see desired_proxy.cpp), then one per uplink
// at kUplinkRuleBase + its index in the profile, so an uplink keeps its
// priority when others are added after it.
std::uint32_t main_rule_priority(const model::Profile& profile) {
    return kProxyRulePriority + (model::uses_tproxy(profile) ? 1 : 0);
}
constexpr std::uint32_t kUplinkRuleBase = state::kRulePriorityFirst + 100;

const std::optional<IpAddress>& gateway_of(const model::Uplink& u, Family f) {
    return f == Family::v4 ? u.gateway : u.gateway6;
}

Prefix default_prefix(Family f) {
    Prefix p;
    p.addr.family = f;
    p.len = 0;
    return p;
}

}  // namespace

std::vector<state::Route> desired_routes(const model::Profile& profile) {
    std::vector<state::Route> routes;
    for (const auto& u : profile.uplinks)
        for (Family f : {Family::v4, Family::v6}) {
            const auto& gw = gateway_of(u, f);
            if (!gw) continue;
            state::Route r;
            r.table = u.table;
            r.dst = default_prefix(f);
            r.via = *gw;
            r.dev = u.device;
            r.origin = u.origin.at(f == Family::v4 ? "gateway" : "gateway6");
            routes.push_back(std::move(r));
        }
    return routes;
}

std::vector<state::Rule> desired_rules(const model::Profile& profile) {
    std::vector<state::Rule> rules;
    for (Family f : {Family::v4, Family::v6}) {
        bool any =
            std::any_of(profile.uplinks.begin(), profile.uplinks.end(),
                        [&](const model::Uplink& u) { return gateway_of(u, f).has_value(); });
        // Without an uplink table in this family there is nothing to steer to.
        if (!any) continue;
        // Connected and VPN routes in main must beat the uplink defaults, or
        // marked replies to VPN clients would leave through an uplink.
        state::Rule main_first;
        main_first.family = f;
        main_first.priority = main_rule_priority(profile);
        main_first.table = kMainTable;
        main_first.suppress_prefixlength = 0;
        main_first.origin = profile.uplinks.front().origin.table;
        rules.push_back(std::move(main_first));
        for (std::size_t i = 0; i < profile.uplinks.size(); ++i) {
            const auto& u = profile.uplinks[i];
            if (!gateway_of(u, f)) continue;
            state::Rule r;
            r.family = f;
            r.priority = kUplinkRuleBase + static_cast<std::uint32_t>(i);
            r.fwmark = u.fwmark;
            r.fwmask = 0xffffffff;
            r.table = u.table;
            r.origin = u.origin.table;
            rules.push_back(std::move(r));
        }
    }
    return rules;
}

std::vector<state::Sysctl> desired_sysctls(const model::Profile& profile) {
    std::vector<state::Sysctl> sysctls{{"net.ipv4.ip_forward", "1"}};
    bool any_v6 = false;
    for (const auto& iface : profile.interfaces)
        for (const auto& a : iface.addresses) any_v6 = any_v6 || !a.addr.is_v4();
    for (const auto& g : profile.groups) any_v6 = any_v6 || g.subnet6.has_value();
    if (any_v6) sysctls.push_back({"net.ipv6.conf.all.forwarding", "1"});
    // Every uplink has a fwmark; rp_filter must see it to find the reverse path.
    if (!profile.uplinks.empty()) sysctls.push_back({"net.ipv4.conf.all.src_valid_mark", "1"});
    // What the kernel answers by itself (TCP handshakes and resets, ICMP
    // echo replies and errors) is routed with the mark of the packet it
    // answers, and accepted sockets keep it: a connection arriving on an
    // uplink is answered through that uplink even when main has no default
    // route, or one through another uplink.
    if (!profile.uplinks.empty()) {
        sysctls.push_back({"net.ipv4.fwmark_reflect", "1"});
        sysctls.push_back({"net.ipv4.tcp_fwmark_accept", "1"});
        bool uplink_v6 = std::any_of(profile.uplinks.begin(), profile.uplinks.end(),
                                     [](const model::Uplink& u) { return u.gateway6.has_value(); });
        if (any_v6 || uplink_v6) sysctls.push_back({"net.ipv6.fwmark_reflect", "1"});
    }
    // Strict reverse-path filtering drops replies that policy routing sends
    // back through a different uplink than the main table would pick.
    if (profile.uplinks.size() > 1) sysctls.push_back({"net.ipv4.conf.all.rp_filter", "2"});
    std::sort(sysctls.begin(), sysctls.end(),
              [](const state::Sysctl& a, const state::Sysctl& b) { return a.key < b.key; });
    return sysctls;
}

}  // namespace vpngw::plan::detail
