// Transparent proxies ([[group.proxy]]): a group's TCP connections to some
// ports are handed to a proxy on the gateway instead of being forwarded.
//
//   redirect  nat prerouting (priority dstnat) `redirect to :PORT`; the proxy
//             asks conntrack for the original destination (SO_ORIGINAL_DST).
//   tproxy    filter prerouting (priority mangle + 1) `tproxy ... to :PORT`
//             plus model::kProxyMark; the rule and local table of
//             desired_proxy.cpp deliver the packet to the proxy's
//             IP_TRANSPARENT socket, which sees the original destination as
//             its own address and the client's real address as the peer.
//
// Never intercepted: the gateway's own addresses (`fib daddr type local`),
// the VPN subnets (@vpn_nets4/6) and the entry's `exempt` destinations.

#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

bool proxies_family(const model::Group& g, const model::Proxy& x, Family f) {
    return f == Family::v4 ? x.v4 && g.subnet.has_value() : x.v6 && g.subnet6.has_value();
}

std::vector<std::string> exempt_items(const model::Proxy& x, Family f) {
    std::vector<std::string> out;
    for (const auto& p : x.exempt)
        if (p.family() == f) out.push_back(p.network().str());
    return out;
}

// proxy_staff_1_exempt4: entry 1 of group staff's proxies.
std::string exempt_set(const std::string& group, std::size_t index, Family f) {
    return "proxy_" + identifier(group) + "_" + std::to_string(index + 1) + "_exempt" +
           family_digit(f);
}

std::string ports(const model::Proxy& x) {
    std::vector<std::string> items;
    for (const auto& r : x.ports)
        items.push_back(r.from == r.to ? std::to_string(r.from)
                                       : std::to_string(r.from) + "-" + std::to_string(r.to));
    return "tcp dport " + value_or_set(items);
}

// `iifname "wg0" ip saddr @grp_staff_net4 `: the group's own clients (or a
// network's hosts, behind its device).
std::string from_group(const model::Group& g, Family f) {
    return "iifname " + quoted(client_device(g)) + " " + ip_keyword(f) + " saddr @" +
           group_set(g.name, f) + " ";
}

// Everything an entry intercepts: its group, not an exempt destination, its ports.
std::string intercepted(const model::Group& g, std::size_t index, Family f) {
    const auto& x = g.proxies[index];
    const char* ip = ip_keyword(f);
    std::string s = from_group(g, f) + "fib daddr type != local " + ip + " daddr != @vpn_nets" +
                    family_digit(f) + " ";
    if (!exempt_items(x, f).empty())
        s += std::string(ip) + " daddr != @" + exempt_set(g.name, index, f) + " ";
    return s + ports(x);
}

// Calls fn(group, index, family) for every entry and family it proxies.
template <class Fn>
void each_entry(const Context& ctx, model::ProxyMode mode, Fn fn) {
    for (const auto& g : ctx.profile.groups)
        for (std::size_t i = 0; i < g.proxies.size(); ++i)
            for (Family f : {Family::v4, Family::v6})
                if (g.proxies[i].mode == mode && proxies_family(g, g.proxies[i], f) &&
                    !client_device(g).empty())
                    fn(g, i, f);
}

template <class Fn>
void each_entry(const Context& ctx, Fn fn) {
    each_entry(ctx, model::ProxyMode::redirect, fn);
    each_entry(ctx, model::ProxyMode::tproxy, fn);
}

}  // namespace

std::string render_proxy_objects(const Context& ctx) {
    std::string out;
    each_entry(ctx, [&](const model::Group& g, std::size_t i, Family f) {
        const auto items = exempt_items(g.proxies[i], f);
        if (items.empty()) return;
        // auto-merge: exempt prefixes may overlap (10.0.0.0/8 and 10.1.2.3).
        out += "\n\tset " + exempt_set(g.name, i, f) + " {\n\t\ttype " + addr_type(f) +
               "\n\t\tflags interval\n\t\tauto-merge\n\t\telements = { ";
        for (std::size_t k = 0; k < items.size(); ++k) out += (k ? ", " : "") + items[k];
        out += " }\n\t}\n";
    });
    return out;
}

std::string render_proxy_redirect(const Context& ctx) {
    std::vector<std::string> rules;
    each_entry(ctx, model::ProxyMode::redirect,
               [&](const model::Group& g, std::size_t i, Family f) {
                   rules.push_back(intercepted(g, i, f) +
                                   " redirect to :" + std::to_string(g.proxies[i].to));
               });
    if (rules.empty()) return "";
    return chain("proxy_nat", "type nat hook prerouting priority dstnat; policy accept;", rules);
}

// This chain runs after `prerouting` (priority mangle), which restores the
// uplink mark from the connection mark and saves new connections' marks into
// it. Running later, the TPROXY mark overwrites the restored uplink mark on
// the packet only: the packet is delivered locally, so its uplink mark has no
// use, and as nothing here writes `ct mark` the TPROXY mark never reaches the
// connection mark, where `meta mark set ct mark` would spread it to every
// later packet (and the gateway's own replies) of the connection. The mark is
// matched whole (mask 0xffffffff), like the uplinks' marks, and differs from
// all of them (see model::kProxyMark).
std::string render_proxy_tproxy(const Context& ctx) {
    std::vector<std::string> rules;
    each_entry(ctx, model::ProxyMode::tproxy, [&](const model::Group& g, std::size_t i, Family f) {
        rules.push_back(intercepted(g, i, f) + " tproxy " + ip_keyword(f) +
                        " to :" + std::to_string(g.proxies[i].to) + " meta mark set " +
                        mark(model::kProxyMark) + " accept");
    });
    if (rules.empty()) return "";
    return chain("proxy_prerouting",
                 "type filter hook prerouting priority mangle + 1; policy accept;", rules);
}

// The input policy drops by default: what was intercepted must reach the
// proxy. Redirected connections arrive at the proxy port after DNAT;
// TPROXY'd ones keep their original destination and carry the mark.
void proxy_input(const Context& ctx, std::vector<std::string>& rules) {
    each_entry(ctx, [&](const model::Group& g, std::size_t i, Family f) {
        const auto& x = g.proxies[i];
        if (x.mode == model::ProxyMode::redirect)
            rules.push_back(from_group(g, f) + "tcp dport " + std::to_string(x.to) +
                            " ct status dnat accept");
        else
            rules.push_back(from_group(g, f) + ports(x) + " meta mark " + mark(model::kProxyMark) +
                            " accept");
    });
}

}  // namespace vpngw::plan::nft
