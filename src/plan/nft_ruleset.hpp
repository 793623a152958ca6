#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "model/profile.hpp"
#include "plan/allocate.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan {

// vpngw's whole nftables table for a profile, in `nft -f` syntax. The text
// deletes and recreates `table inet vpngw` so applying it replaces the table
// in one transaction and leaves every other table alone.
//
// `omit` leaves out what changes live without replacing the table: the peer
// set elements (`peer add`/`remove`) and the health state in the balance maps
// (the monitor), as if every uplink were up. Its hash tells whether the
// rules themselves changed.
enum class LiveElements { include, omit };
std::string render_nft_ruleset(const model::Profile& profile,
                               LiveElements live = LiveElements::include);

// With the peers' addresses as plan::assign_addresses gave them (index-aligned
// with profile.peers) and their limits, neither derived a second time.
std::string render_nft_ruleset(const model::Profile& profile,
                               const std::vector<PeerAddresses>& addresses,
                               const std::vector<state::PeerLimits>& limits);

// The omit form with the peers' limits given (they are part of the rules).
std::string render_nft_rules(const model::Profile& profile,
                             const std::vector<state::PeerLimits>& limits);

// The same with the peer sets filled from `peers` (the addresses of the peer
// elements, any order) instead of from profile.peers, which `up` frees before
// it reads the kernel and only then knows whether the table is replaced.
// `limits` are the peers' networks, quotas and rates (desired.peer_limits),
// which cannot be derived once the peers are freed either.
// `quota_used`: each quota object's use in the table being replaced (by name).
std::string render_nft_ruleset(const model::Profile& profile, const std::vector<IpAddress>& peers,
                               const std::vector<state::PeerLimits>& limits,
                               const std::map<std::string, std::uint64_t>& quota_used = {});

}  // namespace vpngw::plan
