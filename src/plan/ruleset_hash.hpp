#pragma once

// The fingerprint `up` compares to tell whether vpngw's rules changed: a hash
// of the ruleset without peer or balance elements, carried in the table's
// comment. Peer elements are compared one by one instead, so adding a peer
// never replaces the table.

#include <string>

#include "model/profile.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan {

// "vpngw:" and a short hex digest of render_nft_ruleset(profile, omit).
std::string ruleset_hash(const model::Profile& profile);
// The same with the peers' limits already planned (desired.peer_limits).
std::string ruleset_hash(const model::Profile& profile,
                         const std::vector<state::PeerLimits>& limits);

// The ruleset with `comment` as the comment of `table inet vpngw`.
std::string with_comment(std::string ruleset, const std::string& comment);

}  // namespace vpngw::plan
