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
           " (edited on each peer change, then SIGHUP).\n";
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

std::string host_lines(const std::string& zone, const std::string& peer,
                       const plan::PeerAddresses& addresses) {
    if (!escape::dns_label(peer)) return "";
    std::string out;
    for (const auto& a : {addresses.v4, addresses.v6})
        if (a) out += a->str() + " " + peer + "." + zone + "\n";
    return out;
}

std::string without_peer(std::string_view hosts, const std::string& zone, const std::string& peer) {
    const std::string name = " " + peer + "." + zone;
    std::string out;
    out.reserve(hosts.size());
    while (!hosts.empty()) {
        const std::size_t nl = hosts.find('\n');
        const std::size_t end = nl == std::string_view::npos ? hosts.size() : nl + 1;
        const std::string_view line = hosts.substr(0, end);
        hosts.remove_prefix(end);
        std::string_view body = line;
        if (body.ends_with('\n')) body.remove_suffix(1);
        // "<address> <peer>.<zone>": the address has no space.
        const std::size_t space = body.find(' ');
        if (space != std::string_view::npos && body.substr(space) == name) continue;
        out += line;
    }
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
        const std::string lines = host_lines(zone, peer.name, addresses[i]);
        if (lines.empty()) continue;
        hosts.text += lines;
        ++hosts.names;
    }
    return hosts;
}

}  // namespace vpngw::dns
