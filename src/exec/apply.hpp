#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exec/backends.hpp"
#include "model/profile.hpp"
#include "netlink/socket.hpp"
#include "ops/op.hpp"
#include "util/result.hpp"

namespace vpngw::exec {

struct ApplyContext {
    netlink::NetlinkSocket& sock;
    Backends& backends;
    const model::Profile& profile;
    // Called after each operation succeeds (for progress output and journals).
    std::function<void(const ops::Op&)> on_applied;
    // Where to record the table's fingerprint once an apply that replaced or
    // deleted the table succeeded (exec/nft_listing.hpp); "" records nothing.
    std::string nft_listing_file;
};

struct ApplyReport {
    std::size_t applied = 0;
};

// Applies the operations in order. When one fails, the ones already applied
// are undone in reverse order, and the Error names the failing operation and
// the profile line it came from (plus whether the rollback was complete).
//
// For tests, VPNGW_FAIL_AT=<kind>[:N] (e.g. "route-add:2") makes the N-th
// operation of that kind fail before it runs, to prove the rollback, and
// VPNGW_OP_DELAY_MS=<ms> sleeps after each applied operation, so a crash test
// can land a SIGKILL mid-apply deterministically.
Result<ApplyReport> apply(const std::vector<ops::Op>& ops, ApplyContext& ctx);

}  // namespace vpngw::exec
