// A group subnet with no address a peer could get: a /32 or /31 whose only
// host addresses are the gateway's, an IPv6 /128 (offset 0 is the
// subnet-router anycast address). `peer add` would only ever answer "full".

#include "profile/checks.hpp"
#include "profile/quote.hpp"
#include "util/host_range.hpp"

namespace vpngw::profile {

namespace {

// Subnets wider than this always leave room: no profile has that many
// interface addresses inside one group's subnet.
constexpr std::uint64_t kEnumerateUpTo = 16;

void check_subnet(Context& ctx, const model::Profile& p, const model::Group& g, Family f) {
    const auto& subnet = f == Family::v4 ? g.subnet : g.subnet6;
    if (!subnet) return;
    const char* key = f == Family::v4 ? "subnet" : "subnet6";
    const std::string what = std::string(key) + " " + subnet->str() + " of group " + quoted(g.name);
    const HostRange range = host_range(*subnet);
    if (range.empty()) {
        ctx.error(g.origin.at(key), what + " has no host address for a peer (the only one is " +
                                        "the subnet-router anycast address); use a /127 or wider");
        return;
    }
    if (range.count() > kEnumerateUpTo) return;
    std::string holders;
    for (std::uint64_t offset = range.first; offset <= range.last; ++offset) {
        const IpAddress candidate = subnet->addr.plus(offset);
        std::string holder;
        for (const auto& iface : p.interfaces)
            for (const auto& a : iface.addresses)
                if (a.addr == candidate)
                    holder = a.addr.str() + " (interface " + quoted(iface.name) + ")";
        if (holder.empty()) return;  // a peer can have this one
        holders += (holders.empty() ? "" : ", ") + holder;
    }
    ctx.error(g.origin.at(key), what + " leaves no address for a peer: its host addresses are " +
                                    "the gateway's own, " + holders + "; make it wider");
}

// More profile peers on a userspace interface than wireguard-go holds: `up`
// would fail half-way through `wg setconf`, so say it before anything runs.
void check_userspace_peers(Context& ctx, const model::Profile& p) {
    for (const auto& iface : p.interfaces) {
        if (iface.backend != model::Backend::userspace) continue;
        std::size_t peers = 0;
        for (const auto& peer : p.peers) {
            const model::Group* g = p.find_group(peer.group);
            if (g && g->interface == iface.name) ++peers;
        }
        if (peers <= model::kUserspacePeerLimit) continue;
        ctx.error(iface.origin.at("backend"),
                  "interface " + quoted(iface.name) + " has " + std::to_string(peers) +
                      " peers, but wireguard-go (backend = \"userspace\") holds at most " +
                      std::to_string(model::kUserspacePeerLimit) +
                      " on one device: use backend = \"kernel\" or split the groups over " +
                      "more interfaces");
    }
}

}  // namespace

void check_group_capacity(Context& ctx, const model::Profile& p) {
    for (const auto& g : p.groups) {
        if (g.is_network()) continue;  // devices, not peers, live there
        check_subnet(ctx, p, g, Family::v4);
        check_subnet(ctx, p, g, Family::v6);
    }
    check_userspace_peers(ctx, p);
}

}  // namespace vpngw::profile
