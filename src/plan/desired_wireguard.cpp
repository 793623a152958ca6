#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "plan/desired_parts.hpp"
#include "store/state_paths.hpp"

namespace vpngw::plan::detail {
namespace {

state::WgPeer make_peer(const model::Peer& peer, const PeerAddresses& addresses) {
    state::WgPeer p;
    p.public_key = peer.public_key;
    p.name = peer.name;
    p.preshared_key_file = peer.preshared_key_file;
    if (addresses.v4) p.allowed_ips.push_back(Prefix{*addresses.v4, 32});
    if (addresses.v6) p.allowed_ips.push_back(Prefix{*addresses.v6, 128});
    for (const auto& a : addresses.extra) p.allowed_ips.push_back(Prefix{a, a.bits()});
    for (const auto& n : peer.networks) p.allowed_ips.push_back(n);
    std::sort(p.allowed_ips.begin(), p.allowed_ips.end());
    p.keepalive = peer.keepalive.value_or(0);
    p.origin = peer.origin.table;
    return p;
}

}  // namespace

std::vector<state::WgDevice> desired_wireguard(const model::Profile& profile,
                                               const std::vector<PeerAddresses>& addresses) {
    std::vector<state::WgDevice> devices;
    for (const auto& iface : profile.interfaces) {
        state::WgDevice d;
        d.ifname = iface.name;
        d.backend = iface.backend;
        d.listen_port = iface.listen_port;
        d.fwmark = iface.fwmark;
        d.private_key_file = iface.private_key_file.empty()
                                 ? store::StatePaths{profile.gateway.state_dir}.key_file(iface.name)
                                 : iface.private_key_file;
        d.origin = iface.origin.table;
        // Sorted by public key: the indexes are sorted and each peer built
        // once in its place (moving 50,000 built peers while sorting them
        // cost more than building them).
        std::vector<std::pair<std::uint64_t, std::size_t>> order;
        for (std::size_t i = 0; i < profile.peers.size() && i < addresses.size(); ++i) {
            // A disabled peer keeps its address (allocation still counts
            // it) but has no WireGuard peer.
            if (profile.peers[i].disabled) continue;
            const auto* group = profile.find_group(profile.peers[i].group);
            if (group && group->interface == iface.name)
                order.emplace_back(profile.peers[i].public_key.prefix(), i);
        }
        std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
            return key_less(a.first, profile.peers[a.second].public_key, b.first,
                            profile.peers[b.second].public_key);
        });
        d.peers.reserve(order.size());
        for (const auto& [prefix, i] : order)
            d.peers.push_back(make_peer(profile.peers[i], addresses[i]));
        devices.push_back(std::move(d));
    }
    return devices;
}

}  // namespace vpngw::plan::detail
