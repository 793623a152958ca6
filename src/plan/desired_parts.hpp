#pragma once

// The pieces desired_state() is assembled from, one kind of kernel object each.

#include <vector>

#include "model/profile.hpp"
#include "plan/allocate.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan::detail {

std::vector<state::Link> desired_links(const model::Profile& profile);
std::vector<state::Address> desired_addresses(const model::Profile& profile);
std::vector<state::Route> desired_routes(const model::Profile& profile);
std::vector<state::Rule> desired_rules(const model::Profile& profile);
std::vector<state::Sysctl> desired_sysctls(const model::Profile& profile);
// `addresses` is index-aligned with profile.peers (see assign_addresses).
std::vector<state::WgDevice> desired_wireguard(const model::Profile& profile,
                                               const std::vector<PeerAddresses>& addresses);

}  // namespace vpngw::plan::detail
