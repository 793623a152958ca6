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
// TPROXY's local-delivery table and the rules that lead marked packets
// there (desired_proxy.cpp). The rules take the first priority of vpngw's
// range; the main-table rule then moves one step down.
inline constexpr std::uint32_t kProxyRulePriority = state::kRulePriorityFirst;
std::vector<state::Route> desired_proxy_routes(const model::Profile& profile);
std::vector<state::Rule> desired_proxy_rules(const model::Profile& profile);
std::vector<state::Sysctl> desired_sysctls(const model::Profile& profile);
// `addresses` is index-aligned with profile.peers (see assign_addresses).
std::vector<state::WgDevice> desired_wireguard(const model::Profile& profile,
                                               const std::vector<PeerAddresses>& addresses);

}  // namespace vpngw::plan::detail
