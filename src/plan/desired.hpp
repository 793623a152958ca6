#pragma once

#include "model/profile.hpp"
#include "state/kernel_state.hpp"
#include "util/result.hpp"

namespace vpngw::plan {

// The kernel state a profile asks for. Pure: no I/O, no netlink.
// Peers whose group subnet has no free address left get no allowed IP of that
// family; desired_state_checked reports that instead.
state::KernelState desired_state(const model::Profile& profile);

// The same without the nft ruleset text (nft_ruleset left empty), for a caller
// that renders it (render_nft_ruleset) only when the table is to be replaced:
// with 50,000 peers the text is most of the cost of a plan.
state::KernelState desired_state_without_ruleset(const model::Profile& profile);

// The same, failing when a group's subnet is too small for its peers.
Result<state::KernelState> desired_state_checked(const model::Profile& profile);

}  // namespace vpngw::plan
