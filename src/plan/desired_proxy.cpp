// TPROXY's routing: nft's `tproxy` statement hands a packet to the proxy's
// socket and marks it (model::kProxyMark), but the packet's destination is
// still the remote host; routing must deliver it locally instead of
// forwarding it. `ip rule fwmark M iif DEV lookup T` with `local default dev
// lo table T` does that, per family.

#include <set>

#include "plan/desired_parts.hpp"

namespace vpngw::plan::detail {
namespace {

bool proxies_family(const model::Group& g, const model::Proxy& x, Family f) {
    return f == Family::v4 ? x.v4 && g.subnet : x.v6 && g.subnet6;
}

// The devices TPROXY'd packets of family f arrive on, sorted.
std::set<std::string> tproxy_devices(const model::Profile& profile, Family f) {
    std::set<std::string> out;
    for (const auto& g : profile.groups)
        for (const auto& x : g.proxies)
            if (x.mode == model::ProxyMode::tproxy && proxies_family(g, x, f)) {
                const std::string& device = g.is_network() ? g.device : g.interface;
                if (!device.empty()) out.insert(device);
            }
    return out;
}

const Location& tproxy_origin(const model::Profile& profile) {
    for (const auto& g : profile.groups)
        for (const auto& x : g.proxies)
            if (x.mode == model::ProxyMode::tproxy) return x.origin.at("mode");
    return profile.gateway.origin.table;
}

}  // namespace

std::vector<state::Route> desired_proxy_routes(const model::Profile& profile) {
    std::vector<state::Route> routes;
    for (Family f : {Family::v4, Family::v6}) {
        if (tproxy_devices(profile, f).empty()) continue;
        state::Route r;
        r.table = model::kProxyTable;
        r.dst.addr.family = f;
        r.dst.len = 0;
        r.type = state::RouteType::local;
        r.dev = "lo";
        r.origin = tproxy_origin(profile);
        routes.push_back(std::move(r));
    }
    return routes;
}

// The rule matches on the incoming device as well as the mark. The mark alone
// would also catch the proxy's own replies: with net.ipv4.tcp_fwmark_accept
// (set when there are uplinks) accepted sockets inherit the SYN's mark, and
// their packets would be "delivered locally" instead of reaching the client.
// Locally generated packets and the reverse-path check (rp_filter) look up
// with iif lo, so they never match and keep using main and the uplinks.
// Its priority comes before the main-table rule: main's connected routes
// would otherwise forward a TPROXY'd packet to a host on a directly
// connected network, and the kernel drops forwarded packets that already
// carry a socket.
std::vector<state::Rule> desired_proxy_rules(const model::Profile& profile) {
    std::vector<state::Rule> rules;
    for (Family f : {Family::v4, Family::v6})
        for (const auto& dev : tproxy_devices(profile, f)) {
            state::Rule r;
            r.family = f;
            r.priority = kProxyRulePriority;
            r.fwmark = model::kProxyMark;
            r.fwmask = 0xffffffff;
            r.iif = dev;
            r.table = model::kProxyTable;
            r.origin = tproxy_origin(profile);
            rules.push_back(std::move(r));
        }
    return rules;
}

}  // namespace vpngw::plan::detail
