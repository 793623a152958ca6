#pragma once

// Resetting peers' quota objects at the start of their period (the monitor
// decides which: plan/quota_periods.hpp). `reset quota` zeroes one named
// object's count in place: no map element, rule or other peer is touched.

#include <string>
#include <vector>

#include "util/result.hpp"

namespace vpngw::exec {

// Resets each named quota of `table inet vpngw` in one libnftables run; a
// quota that does not exist (the peer went, the table is down) is an error.
Status reset_quotas(const std::vector<std::string>& objects);

}  // namespace vpngw::exec
