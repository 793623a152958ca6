#include <algorithm>
#include <cstdio>

#include "escape/escape.hpp"
#include "plan/nft_parts.hpp"
#include "plan/peer_limits.hpp"

namespace vpngw::plan::nft {

namespace {

// Prefixes sorted, without any that lies inside another: nft rejects
// overlapping elements in an interval set.
std::vector<Prefix> disjoint(std::vector<Prefix> nets) {
    // Shorter prefixes first among equal addresses, so a covering prefix is
    // seen before what it covers.
    std::sort(nets.begin(), nets.end(), [](const Prefix& a, const Prefix& b) {
        return a.addr != b.addr ? a.addr < b.addr : a.len < b.len;
    });
    std::vector<Prefix> out;
    for (const auto& p : nets)
        if (out.empty() || !out.back().contains(p)) out.push_back(p);
    return out;
}

// Group subnets of one family.
std::vector<Prefix> disjoint_subnets(const model::Profile& profile, Family f) {
    std::vector<Prefix> nets;
    for (const auto& g : profile.groups) {
        const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
        if (subnet) nets.push_back(subnet->network());
    }
    return disjoint(std::move(nets));
}

// The group subnets and, as host prefixes, the gateway's addresses on its
// WireGuard interfaces and on the bridges it creates for networks (not the
// interfaces' whole prefixes: an interface written 10.0.0.1/8 must not make
// an uplink in 10.x/8 look spoofed).
std::vector<Prefix> client_sources(const model::Profile& profile, Family f) {
    std::vector<Prefix> nets = disjoint_subnets(profile, f);
    auto host = [&](const Prefix& a) {
        if (a.family() == f) nets.push_back({a.addr, f == Family::v4 ? 32 : 128});
    };
    for (const auto& i : profile.interfaces)
        for (const auto& a : i.addresses) host(a);
    for (const auto& g : profile.groups)
        for (const auto& a : g.addresses) host(a);
    return disjoint(std::move(nets));
}

}  // namespace

std::string not_internet_set(Family f) {
    return std::string("not_internet") + family_digit(f);
}

Context::Context(const model::Profile& p, bool live, const std::vector<IpAddress>* given,
                 const std::vector<state::PeerLimits>* given_limits,
                 const std::vector<PeerAddresses>* given_addrs)
    : profile(p),
      live_elements(live),
      peer_addresses(live && !given && !given_addrs ? assign_addresses(p).peers
                                                    : std::vector<PeerAddresses>{}),
      given_addresses(live && !given ? given_addrs : nullptr) {
    given_peers = given;
    if (given_limits) {
        limits = *given_limits;
    } else if (std::any_of(p.peers.begin(), p.peers.end(), has_limits)) {
        // Addresses are allocated in profile order over every peer.
        limits = all_peer_limits(p, given_addrs              ? *given_addrs
                                    : peer_addresses.empty() ? assign_addresses(p).peers
                                                             : peer_addresses);
    }
    // The networks behind peers are VPN sources and destinations like the
    // group subnets: masqueraded, spoofed when they arrive on an uplink.
    std::vector<Prefix> networks;
    for (const auto& l : limits)
        for (const auto& n : l.networks) networks.push_back(n.network());
    auto with_networks = [&](std::vector<Prefix> nets, Family f) {
        for (const auto& n : networks)
            if (n.family() == f) nets.push_back(n);
        return disjoint(std::move(nets));
    };
    vpn_nets4 = with_networks(disjoint_subnets(p, Family::v4), Family::v4);
    vpn_nets6 = with_networks(disjoint_subnets(p, Family::v6), Family::v6);
    vpn_sources4 = with_networks(client_sources(p, Family::v4), Family::v4);
    vpn_sources6 = with_networks(client_sources(p, Family::v6), Family::v6);
    for (const auto& iface : p.interfaces) wg_interfaces.push_back(iface.name);
    client_devices = wg_interfaces;
    for (const auto& g : p.groups)
        if (g.is_network()) client_devices.push_back(g.device);
}

std::string identifier(const std::string& name) {
    std::string out;
    for (char c : name) {
        if (c == '=')
            out += "/e";
        else if (c == '+')
            out += "/p";
        else
            out += c;
    }
    return out;
}

std::string group_chain(const std::string& group) {
    return "grp_" + identifier(group);
}

std::string group_set(const std::string& group, Family family) {
    return group_chain(group) + "_net" + family_digit(family);
}

std::string peer_set(Family family) {
    return std::string("peers") + family_digit(family);
}

std::string group_conn_set(const std::string& group, Family family) {
    return group_chain(group) + "_conns" + family_digit(family);
}

// Names reach here validated (profile/names.cpp: A-Z a-z 0-9 _ . = + -), and
// nft carries all of those. Were one not, each byte nft cannot carry becomes
// '?': the rule then names no device, rather than ending the string early.
std::string quoted(const std::string& text) {
    if (auto q = escape::nft_string(text)) return *q;
    std::string safe = text;
    for (char& c : safe)
        if (!escape::nft_string(std::string_view(&c, 1))) c = '?';
    return *escape::nft_string(safe);
}

std::string mark(std::uint32_t value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", value);
    return buf;
}

std::string value_or_set(const std::vector<std::string>& items) {
    if (items.size() == 1) return items.front();
    std::string out = "{ ";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out + " }";
}

std::string ifname_match(const std::vector<std::string>& names) {
    std::vector<std::string> q;
    for (const auto& n : names) q.push_back(quoted(n));
    return value_or_set(q);
}

const char* ip_keyword(Family f) {
    return f == Family::v4 ? "ip" : "ip6";
}
const char* addr_type(Family f) {
    return f == Family::v4 ? "ipv4_addr" : "ipv6_addr";
}
char family_digit(Family f) {
    return f == Family::v4 ? '4' : '6';
}

std::vector<std::string> drop_accounting(const Context& ctx, const std::string& what) {
    std::vector<std::string> rules;
    if (ctx.profile.firewall.log_drops)
        rules.push_back("limit rate " + ctx.profile.firewall.log_drops->str() + " log prefix " +
                        quoted("vpngw " + what + " drop: "));
    rules.push_back("counter name " + what + "_drops");
    return rules;
}

std::string chain(const std::string& name, const std::string& hook_line,
                  const std::vector<std::string>& rules) {
    std::string out = "\tchain " + name + " {\n";
    if (!hook_line.empty()) out += "\t\t" + hook_line + "\n";
    for (const auto& r : rules) out += "\t\t" + r + "\n";
    return out + "\t}\n";
}

}  // namespace vpngw::plan::nft
