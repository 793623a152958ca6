#pragma once

// The peers whose enforcement goes beyond one WireGuard peer and one address
// in the peer sets (issue 17): networks routed behind them, a data quota, a
// rate limit. `up` renders them into the ruleset and the routes; `peer add`
// and friends apply one of them live (gateway/peers_apply.cpp). Disabled
// peers have none: they are not in the kernel at all.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "plan/allocate.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan {

// Whether the peer carries networks, a quota or a rate.
bool has_limits(const model::Peer& peer);

// The peer's limits at its addresses; nullopt when it is disabled, carries
// none, or its group is unknown or is not a WireGuard group.
std::optional<state::PeerLimits> peer_limits(const model::Profile& profile, const model::Peer& peer,
                                             const PeerAddresses& addresses);

// The same for a peer whose addresses are fixed (a registry peer, as the
// live peer commands see it) on the interface `ifname`.
std::optional<state::PeerLimits> live_peer_limits(const model::Peer& peer,
                                                  const std::string& ifname);

// Every enabled peer's, profile order; `addresses` is index-aligned with
// profile.peers. Cheap when no peer has limits: no allocation is needed.
std::vector<state::PeerLimits> all_peer_limits(const model::Profile& profile,
                                               const std::vector<PeerAddresses>& addresses);

// Marks the peers whose `expires` is not after `now` disabled, so planning
// keeps them out of the kernel; returns how many. (`now` is the caller's:
// plan/ reads no clock.)
std::size_t disable_expired(std::vector<model::Peer>& peers, std::chrono::sys_seconds now);

// The main-table routes of a peer's networks through its WireGuard interface.
std::vector<state::Route> network_routes(const state::PeerLimits& limits);

}  // namespace vpngw::plan
