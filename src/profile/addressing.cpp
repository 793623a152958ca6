#include <algorithm>
#include <utility>
#include <vector>

#include "profile/checks.hpp"
#include "profile/overlaps.hpp"
#include "profile/quote.hpp"
#include "profile/values.hpp"
#include "util/repeats.hpp"

namespace vpngw::profile {

namespace {

using model::Group;

const std::optional<Prefix>& subnet_of(const Group& g, Family f) {
    return f == Family::v4 ? g.subnet : g.subnet6;
}
// Local networks are groups too; messages name them as the profile does.
const char* kind_of(const Group& g) {
    return g.is_network() ? "network" : "group";
}
const char* subnet_key(Family f) {
    return f == Family::v4 ? "subnet" : "subnet6";
}

void check_inside_interface(Context& ctx, const model::Profile& p, const Group& g, Family f) {
    const auto& subnet = subnet_of(g, f);
    const model::Interface* iface = p.find_interface(g.interface);
    // An interface without any usable address has been reported already.
    if (!subnet || !iface || iface->addresses.empty()) return;
    std::string addresses;
    for (const auto& a : iface->addresses) {
        if (a.family() != f) continue;
        if (a.network().contains(*subnet)) return;
        addresses += (addresses.empty() ? "" : ", ") + a.str();
    }
    const std::string what = std::string(subnet_key(f)) + " " + subnet->str() + " of group " +
                             quoted(g.name) + " is outside ";
    if (addresses.empty())
        ctx.error(g.origin.at(subnet_key(f)), what + "interface " + quoted(iface->name) +
                                                  ", which has no " + family_name(f) + " address");
    else
        ctx.error(g.origin.at(subnet_key(f)), what + "every " + family_name(f) +
                                                  " address of interface " + quoted(iface->name) +
                                                  " (" + addresses + ")");
}

// One error per subnet that overlaps an earlier group's, naming the earliest
// such group: n groups with one subnet give n - 1 errors, not n^2 / 2.
void check_overlaps(Context& ctx, const model::Profile& p) {
    std::vector<std::pair<std::size_t, Family>> found;  // (later group, family)
    std::vector<std::size_t> earlier_of[2];
    for (Family f : {Family::v4, Family::v6}) {
        std::vector<Prefix> subnets;
        std::vector<std::size_t> group_of;
        for (std::size_t g = 0; g < p.groups.size(); ++g)
            if (const auto& s = subnet_of(p.groups[g], f)) {
                subnets.push_back(*s);
                group_of.push_back(g);
            }
        auto& earlier = earlier_of[f == Family::v4 ? 0 : 1];
        earlier.assign(p.groups.size(), kNoRepeat);
        const auto overlaps = earliest_overlaps(subnets);
        for (std::size_t k = 0; k < subnets.size(); ++k)
            if (overlaps[k] != kNoRepeat) {
                earlier[group_of[k]] = group_of[overlaps[k]];
                found.emplace_back(group_of[k], f);
            }
    }
    // In profile order, as the groups are written.
    std::sort(found.begin(), found.end());
    for (const auto& [j, f] : found) {
        const std::size_t i = earlier_of[f == Family::v4 ? 0 : 1][j];
        const auto& a = *subnet_of(p.groups[i], f);
        const auto& b = *subnet_of(p.groups[j], f);
        const Location& first = p.groups[i].origin.at(subnet_key(f));
        ctx.error(p.groups[j].origin.at(subnet_key(f)),
                  std::string(subnet_key(f)) + " " + b.str() + " of " + kind_of(p.groups[j]) + " " +
                      quoted(p.groups[j].name) + " overlaps " + subnet_key(f) + " " + a.str() +
                      " of " + kind_of(p.groups[i]) + " " + quoted(p.groups[i].name) + " (line " +
                      std::to_string(first.line) + ")");
    }
}

// One fixed address of a peer (`key` names where it was written).
void check_peer_address(Context& ctx, const model::Profile& p, const model::Peer& peer,
                        const std::optional<IpAddress>& address, const std::string& key) {
    const Group* g = p.find_group(peer.group);
    if (!address || !g) return;
    const Family f = address->family;
    const Location where = peer.origin.at(key);
    const std::string who =
        key.substr(0, key.find('.')) + " " + address->str() + " of peer " + quoted(peer.name);
    const auto& subnet = subnet_of(*g, f);
    if (!subnet) {
        ctx.error(where, who + " needs an " + family_name(f) + " subnet, but group " +
                             quoted(g->name) + " has no \"" + subnet_key(f) + "\"");
        return;
    }
    if (!subnet->contains(*address)) {
        ctx.error(where, who + " is outside " + subnet_key(f) + " " + subnet->str() + " of group " +
                             quoted(g->name));
        return;
    }
    // /31 and /32 (and their IPv6 likes) have no network or broadcast address to avoid.
    const bool roomy = subnet->len <= subnet->addr.bits() - 2;
    if (roomy && *address == subnet->addr) {
        ctx.error(where, who + " is the network address of " + subnet->str());
        return;
    }
    if (roomy && f == Family::v4 && *address == subnet->addr.plus(subnet->size() - 1)) {
        ctx.error(where, who + " is the broadcast address of " + subnet->str());
        return;
    }
    for (const auto& iface : p.interfaces)
        for (const auto& a : iface.addresses)
            if (a.addr == *address) {
                ctx.error(where, who + " is an address of interface " + quoted(iface.name));
                return;
            }
}

void check_forward_targets(Context& ctx, const model::Profile& p) {
    // A subnet that failed to parse could be the one the target is in.
    for (const auto& g : p.groups)
        if ((g.origin.fields.count("subnet") && !g.subnet) ||
            (g.origin.fields.count("subnet6") && !g.subnet6))
            return;
    for (const auto& f : p.forwards) {
        if (!f.origin.fields.count("to") || f.to_port == 0) continue;  // missing or invalid
        bool inside = false;
        for (const auto& g : p.groups)
            for (Family fam : {Family::v4, Family::v6})
                if (const auto& s = subnet_of(g, fam); s && s->contains(f.to)) inside = true;
        if (!inside)
            ctx.warning(f.origin.at("to"), "forward target " + f.to.str() +
                                               " is not inside any group subnet; make sure the "
                                               "gateway can route to it");
    }
}

// Networks routed behind a peer (`networks`): of a family the peer's group
// has a subnet of (its rules and sets are per family), and overlapping no
// interface prefix, group or network subnet, or another peer's network: each
// is routed to exactly one place. One sort and sweep for all of them.
void check_peer_networks(Context& ctx, const model::Profile& p) {
    struct Owner {
        Location where;
        std::string what;
    };
    std::vector<Prefix> prefixes;
    std::vector<Owner> owners;
    for (const auto& i : p.interfaces)
        for (const auto& a : i.addresses) {
            prefixes.push_back(a.network());
            owners.push_back({i.origin.at("address"),
                              "interface " + quoted(i.name) + " prefix " + a.network().str()});
        }
    for (const auto& g : p.groups)
        for (Family f : {Family::v4, Family::v6})
            if (const auto& s = subnet_of(g, f)) {
                prefixes.push_back(*s);
                owners.push_back({g.origin.at(subnet_key(f)), std::string(subnet_key(f)) + " " +
                                                                  s->str() + " of " + kind_of(g) +
                                                                  " " + quoted(g.name)});
            }
    const std::size_t first_network = prefixes.size();
    for (const auto& peer : p.peers) {
        const Group* g = p.find_group(peer.group);
        for (std::size_t k = 0; k < peer.networks.size(); ++k) {
            const Prefix& n = peer.networks[k];
            const Location where = peer.origin.at("networks." + std::to_string(k));
            if (g && !subnet_of(*g, n.family()))
                ctx.error(where, "network " + n.str() + " of peer " + quoted(peer.name) + " is " +
                                     family_name(n.family()) + ", but group " + quoted(g->name) +
                                     " has no \"" + subnet_key(n.family()) + "\"");
            prefixes.push_back(n);
            owners.push_back({where, "network " + n.str() + " of peer " + quoted(peer.name)});
        }
    }
    const auto overlaps = earliest_overlaps(prefixes);
    for (std::size_t k = first_network; k < prefixes.size(); ++k)
        if (overlaps[k] != kNoRepeat) {
            const Owner& earlier = owners[overlaps[k]];
            ctx.error(owners[k].where, owners[k].what + " overlaps " + earlier.what + " (line " +
                                           std::to_string(earlier.where.line) + ")");
        }
}

}  // namespace

void check_addressing(Context& ctx, const model::Profile& p) {
    for (const auto& g : p.groups) {
        check_inside_interface(ctx, p, g, Family::v4);
        check_inside_interface(ctx, p, g, Family::v6);
    }
    check_overlaps(ctx, p);
    check_group_capacity(ctx, p);
    for (const auto& peer : p.peers) {
        check_peer_address(ctx, p, peer, peer.address, "address");
        check_peer_address(ctx, p, peer, peer.address6, "address6");
        for (std::size_t i = 0; i < peer.extra_addresses.size(); ++i)
            check_peer_address(ctx, p, peer, peer.extra_addresses[i],
                               "extra_addresses." + std::to_string(i));
    }
    check_forward_targets(ctx, p);
    check_peer_networks(ctx, p);
}

}  // namespace vpngw::profile
