#pragma once

#include <string>

#include "model/profile.hpp"

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

// The same with the peer sets filled from `peers` (the addresses of the peer
// elements, any order) instead of from profile.peers, which `up` frees before
// it reads the kernel and only then knows whether the table is replaced.
std::string render_nft_ruleset(const model::Profile& profile, const std::vector<IpAddress>& peers);

}  // namespace vpngw::plan
