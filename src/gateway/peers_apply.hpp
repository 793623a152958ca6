#pragma once

// The kernel half of `peer add` / `peer remove`: one WireGuard peer and its
// verdict-map elements, with the inverse run when the second step fails so
// the kernel is never left half changed.

#include <optional>

#include "gateway/peers.hpp"
#include "gateway/peers_live.hpp"
#include "store/peer_store.hpp"

namespace vpngw::gateway {

// The verdict-map elements of a peer: ADDR -> jump grp_<group> in peers4/peers6.
std::vector<nft::ElementChange> peer_elements(const store::StoredPeer& peer,
                                              nft::ElementChange::Op op);

// Sets the peer on the interface, then adds its elements (skipped when vpngw's
// table is absent). On failure the peer is taken out of the device again.
Result<LiveOutcome> apply_added_peer(LiveGateway& live, const model::Interface& iface,
                                     const store::StoredPeer& peer,
                                     const std::optional<SecretKey>& psk);

// Removes the elements, then the WireGuard peer. Elements already absent are
// fine; on failure the removed elements are put back.
Result<LiveOutcome> apply_removed_peer(LiveGateway& live, const model::Interface& iface,
                                       const store::StoredPeer& peer);

}  // namespace vpngw::gateway
