#pragma once

// When peers' quotas restart (issue 17): a quota counts bytes per day, week
// or month (UTC, model::period_start), and the counter of the kernel's
// quota object is reset at each period start, by name, so no other peer's
// count and no map element is touched. Pure: the caller brings the clock.

#include <chrono>
#include <string>
#include <vector>

#include "model/profile.hpp"

namespace vpngw::plan {

// The quota objects (`q_<peer>`) of the enabled peers whose quota period
// started after `last` and not after `now`: what to reset when the clock
// moved from `last` to `now`.
std::vector<std::string> quotas_due(const std::vector<model::Peer>& peers,
                                    std::chrono::sys_seconds last, std::chrono::sys_seconds now);

}  // namespace vpngw::plan
