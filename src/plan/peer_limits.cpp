#include "plan/peer_limits.hpp"

namespace vpngw::plan {

bool has_limits(const model::Peer& peer) {
    return !peer.networks.empty() || peer.quota || peer.rate_bits;
}

namespace {

state::PeerLimits limits_of(const model::Peer& peer, const std::string& ifname,
                            const PeerAddresses& addresses) {
    state::PeerLimits l;
    l.name = peer.name;
    l.group = peer.group;
    l.ifname = ifname;
    l.v4 = addresses.v4;
    l.v6 = addresses.v6;
    l.networks = peer.networks;
    l.quota = peer.quota;
    l.rate_bits = peer.rate_bits;
    l.origin = peer.origin.table;
    return l;
}

}  // namespace

std::optional<state::PeerLimits> peer_limits(const model::Profile& profile,
                                             const model::Peer& peer,
                                             const PeerAddresses& addresses) {
    if (peer.disabled || !has_limits(peer)) return std::nullopt;
    const auto* group = profile.find_group(peer.group);
    if (!group || group->is_network()) return std::nullopt;
    return limits_of(peer, group->interface, addresses);
}

std::optional<state::PeerLimits> live_peer_limits(const model::Peer& peer,
                                                  const std::string& ifname) {
    if (peer.disabled || !has_limits(peer)) return std::nullopt;
    return limits_of(peer, ifname, PeerAddresses{peer.address, peer.address6});
}

std::vector<state::PeerLimits> all_peer_limits(const model::Profile& profile,
                                               const std::vector<PeerAddresses>& addresses) {
    std::vector<state::PeerLimits> out;
    for (std::size_t i = 0; i < profile.peers.size() && i < addresses.size(); ++i)
        if (has_limits(profile.peers[i]))
            if (auto l = peer_limits(profile, profile.peers[i], addresses[i]))
                out.push_back(std::move(*l));
    return out;
}

std::size_t disable_expired(std::vector<model::Peer>& peers, std::chrono::sys_seconds now) {
    std::size_t n = 0;
    for (auto& p : peers)
        if (!p.disabled && p.expires && *p.expires <= now) {
            p.disabled = true;
            ++n;
        }
    return n;
}

std::vector<state::Route> network_routes(const state::PeerLimits& limits) {
    std::vector<state::Route> routes;
    for (const auto& n : limits.networks) {
        state::Route r;
        r.dst = n;
        r.dev = limits.ifname;
        r.origin = limits.origin;
        routes.push_back(std::move(r));
    }
    return routes;
}

}  // namespace vpngw::plan
