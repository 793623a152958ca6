#include <set>

#include "plan/nft_parts.hpp"

namespace vpngw::plan::nft {
namespace {

// ICMP the gateway needs to stay reachable and keep path-MTU discovery and
// IPv6 neighbour discovery working, whatever the policy.
const char* kIcmpRule =
    "icmp type { destination-unreachable, time-exceeded, parameter-problem } accept";
const char* kIcmpEchoRule = "icmp type echo-request limit rate 10/second accept";
const char* kIcmp6Rule =
    "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
    "nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept";
const char* kIcmp6EchoRule = "icmpv6 type echo-request limit rate 10/second accept";

void management(const Context& ctx, std::vector<std::string>& rules) {
    const auto& m = ctx.profile.firewall.management;
    // Without a [firewall] management entry SSH gets no rule of its own (the
    // loader warns); an empty allow list opens it to everyone.
    if (!m) return;
    const std::string port = "tcp dport " + std::to_string(m->port);
    if (m->allow.empty()) {
        rules.push_back(port + " accept");
        return;
    }
    for (Family f : {Family::v4, Family::v6}) {
        bool any = false;
        for (const auto& p : m->allow) any = any || p.family() == f;
        if (any)
            rules.push_back(port + " " + ip_keyword(f) + " saddr @mgmt" + family_digit(f) +
                            " accept");
    }
}

// The gateway's own address among a group's DNS servers: its clients may
// query it. One rule per (group, address).
void dns(const Context& ctx, std::vector<std::string>& rules) {
    std::set<IpAddress> gateway_addresses;
    for (const auto& iface : ctx.profile.interfaces)
        for (const auto& a : iface.addresses) gateway_addresses.insert(a.addr);
    for (const auto& g : ctx.profile.groups) {
        std::set<IpAddress> seen;
        for (const auto& server : g.dns) {
            const auto& subnet = server.is_v4() ? g.subnet : g.subnet6;
            if (!subnet || !gateway_addresses.contains(server) || !seen.insert(server).second)
                continue;
            const char* ip = ip_keyword(server.family);
            rules.push_back("iifname " + quoted(g.interface) + " " + ip + " saddr @" +
                            group_set(g.name, server.family) + " " + ip + " daddr " + server.str() +
                            " meta l4proto { tcp, udp } th dport 53 accept");
        }
    }  // With [dns], the resolver also listens on the gateway's addresses on the
    // bridges of local networks (dns/render.cpp): their hosts may query them.
    if (!ctx.profile.dns) return;
    for (const auto& g : ctx.profile.groups) {
        if (!g.is_network()) continue;
        for (const auto& a : g.addresses) {
            const auto& subnet = a.addr.is_v4() ? g.subnet : g.subnet6;
            if (!subnet) continue;
            const char* ip = ip_keyword(a.addr.family);
            rules.push_back("iifname " + quoted(g.device) + " " + ip + " saddr @" +
                            group_set(g.name, a.addr.family) + " " + ip + " daddr " + a.addr.str() +
                            " meta l4proto { tcp, udp } th dport 53 accept");
        }
    }
}

}  // namespace

std::string render_input(const Context& ctx) {
    const bool drop = ctx.profile.firewall.input == model::Policy::drop;
    std::vector<std::string> rules = {
        "ct state established,related accept",
        "ct state invalid drop",
        "iif \"lo\" accept",
        kIcmpRule,
        kIcmpEchoRule,
        kIcmp6Rule,
        kIcmp6EchoRule,
        "udp dport @wg_ports accept",
    };
    management(ctx, rules);
    dns(ctx, rules);
    proxy_input(ctx, rules);
    cluster_input(ctx, rules);
    if (drop)
        for (auto& r : drop_accounting(ctx, "input")) rules.push_back(std::move(r));
    return chain("input",
                 std::string("type filter hook input priority filter; policy ") +
                     model::to_string(ctx.profile.firewall.input) + ";",
                 rules);
}

}  // namespace vpngw::plan::nft
