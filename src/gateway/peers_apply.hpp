#pragma once

// The kernel half of `peer add` / `peer remove`: one WireGuard peer and its
// peer-set elements, with the inverse run when the second step fails so
// the kernel is never left half changed.

#include <optional>

#include "gateway/peers.hpp"
#include "gateway/peers_live.hpp"
#include "model/profile.hpp"

namespace vpngw::gateway {

// The set elements of a peer: its addresses in grp_<group>_peers4 / _peers6.
std::vector<nft::ElementChange> peer_elements(const model::Peer& peer, nft::ElementChange::Op op);

// Sets the peer on the interface (its networks in its allowed-ips), then
// adds its elements and its limits (plan::live_peer_limits: quota, rate and
// network elements, its networks' routes), all skipped when vpngw's table is
// absent. On failure the peer is taken out again. A disabled peer is not
// the caller's to add.
Result<LiveOutcome> apply_added_peer(LiveGateway& live, const model::Interface& iface,
                                     const model::Peer& peer, const std::optional<SecretKey>& psk);

// Removes the limits (routes, elements, objects), the elements, then the
// WireGuard peer. Elements already absent are fine; on failure the removed
// elements are put back.
Result<LiveOutcome> apply_removed_peer(LiveGateway& live, const model::Interface& iface,
                                       const model::Peer& peer);

// Removes only the peer's limits (quota, rate, network elements and routes):
// what `peer edit` takes away when the WireGuard peer itself stays.
Status remove_peer_limits(LiveGateway& live, const model::Interface& iface,
                          const model::Peer& peer);

}  // namespace vpngw::gateway
