#pragma once

// The values sysctls had before vpngw first changed them, kept in
// <state_dir>/sysctl-baseline so `down` can put them back.

#include <vector>

#include "state/kernel_state.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

// Writes the file only when it does not exist yet: a second `up` must not
// record vpngw's own values as the baseline.
Status record_sysctl_baseline(const store::StatePaths& paths,
                              const std::vector<state::Sysctl>& current);
// Empty when there is no baseline (vpngw changed nothing).
Result<std::vector<state::Sysctl>> load_sysctl_baseline(const store::StatePaths& paths);
Status forget_sysctl_baseline(const store::StatePaths& paths);

}  // namespace vpngw::txn
