#pragma once

// The kernel half of `peer add` / `peer remove`: one WireGuard peer and its
// peer-set elements, with the inverse run when the second step fails so
// the kernel is never left half changed.

#include <optional>

#include "gateway/peers.hpp"
#include "gateway/peers_live.hpp"
#include "state/kernel_state.hpp"
#include "store/peer_store.hpp"

namespace vpngw::gateway {

// The set elements of a peer: its addresses in grp_<group>_peers4 / _peers6.
std::vector<nft::ElementChange> peer_elements(const store::StoredPeer& peer,
                                              nft::ElementChange::Op op);

// Sets the peer on the interface (its networks in its allowed-ips), then
// adds its elements and, with `limits` (plan::live_peer_limits), its quota,
// rate and network elements and its networks' routes (all skipped when
// vpngw's table is absent). On failure the peer is taken out again.
Result<LiveOutcome> apply_added_peer(LiveGateway& live, const model::Interface& iface,
                                     const store::StoredPeer& peer,
                                     const std::optional<SecretKey>& psk,
                                     const std::optional<state::PeerLimits>& limits = {});

// Removes the limits (routes, elements, objects), the elements, then the
// WireGuard peer. Elements already absent are fine; on failure the removed
// elements are put back.
Result<LiveOutcome> apply_removed_peer(LiveGateway& live, const model::Interface& iface,
                                       const store::StoredPeer& peer,
                                       const std::optional<state::PeerLimits>& limits = {});

}  // namespace vpngw::gateway
