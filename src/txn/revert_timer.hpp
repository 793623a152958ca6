#pragma once

// The revert timer of `vpngw up --confirm`: a helper process detached from
// the CLI (own session, no inherited descriptors, re-executed from
// /proc/self/exe) so that it outlives the SSH session and a SIGKILL of the
// CLI. At the deadline it reverts the pending apply unless `vpngw confirm`
// (or `vpngw rollback`) removed it first.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "util/result.hpp"

namespace vpngw::txn {

// The hidden subcommand the helper runs as.
inline constexpr const char* kRevertTimerCommand = "__revert-timer";

// Starts `/proc/self/exe __revert-timer STATE_DIR DEADLINE ID` fully detached
// (double fork, setsid, stdio on /dev/null, every other descriptor closed).
// Returns the helper's pid.
Result<pid_t> spawn_revert_timer(const std::string& state_dir, std::int64_t deadline,
                                 const std::string& id);

// The helper's body. Waits until the pending apply's deadline (the record's,
// which may have moved later than `deadline` while the apply ran), checking
// every second whether it was confirmed; then takes the state lock and
// reverts it when it is still the pending one. Notes what it did in
// <state_dir>/revert.log. Returns ok when there was nothing left to do.
Status run_revert_timer(const std::string& state_dir, std::int64_t deadline, const std::string& id);

}  // namespace vpngw::txn
