#include "dns/render.hpp"

#include "escape/escape.hpp"

namespace vpngw::dns {

Runtime runtime_paths(const model::Profile& profile) {
    Runtime r;
    r.dir = "/run/vpngw/dns-" + profile.gateway.name;
    r.config = r.dir + "/dnsmasq.conf";
    r.hosts = r.dir + "/hosts";
    r.pid = r.dir + "/dnsmasq.pid";
    return r;
}

std::string render_config(const model::Profile& profile, const Runtime& runtime) {
    const auto& dns = *profile.dns;
    std::string out;
    out += "# Written by vpngw from " + escape::visible(profile.source) +
           " when `vpngw dns serve` starts; changes here are lost.\n";
    out += "# Peers' names: <peer>." + dns.zone + " from " + runtime.hosts +
           " (rewritten on peer add/remove, then SIGHUP).\n";
    out += "port=53\n";
    // Only the gateway's tunnel addresses, never a wildcard socket; bind-dynamic
    // also binds them when the interface comes up after dnsmasq started.
    out += "bind-dynamic\n";
    for (const auto& iface : profile.interfaces)
        for (const auto& a : iface.addresses) out += "listen-address=" + a.addr.str() + "\n";
    // And the gateway's addresses on the bridges of local networks it creates:
    // their hosts are clients too (the input chain admits their queries). On a
    // network device vpngw does not own, its address is not the profile's.
    for (const auto& g : profile.groups)
        if (g.is_network())
            for (const auto& a : g.addresses) out += "listen-address=" + a.addr.str() + "\n";
    out += "no-hosts\n";  // the gateway's own /etc/hosts is not for clients
    out += "addn-hosts=" + runtime.hosts + "\n";
    out += "local=/" + dns.zone + "/\n";  // unknown names in the zone: NXDOMAIN, not upstream
    out += "domain-needed\n";             // single-label names never go upstream
    if (dns.upstream.empty()) {
        out += "resolv-file=/etc/resolv.conf\n";
    } else {
        out += "no-resolv\n";
        for (const auto& u : dns.upstream) out += "server=" + u.str() + "\n";
    }
    out += "pid-file=" + runtime.pid + "\n";
    return out;
}

Hosts render_hosts(const model::Profile& profile,
                   const std::vector<plan::PeerAddresses>& addresses) {
    Hosts hosts;
    const auto& zone = profile.dns->zone;
    for (std::size_t i = 0; i < profile.peers.size() && i < addresses.size(); ++i) {
        const auto& peer = profile.peers[i];
        if (!escape::dns_label(peer.name)) {
            hosts.skipped.push_back(peer.name);
            continue;
        }
        bool named = false;
        for (const auto& a : {addresses[i].v4, addresses[i].v6}) {
            if (!a) continue;
            hosts.text += a->str() + " " + peer.name + "." + zone + "\n";
            named = true;
        }
        if (named) ++hosts.names;
    }
    return hosts;
}

}  // namespace vpngw::dns
