#pragma once

// `vpngw up --confirm`: the pending apply, kept in <state_dir>/pending/ until
// `vpngw confirm` keeps it or the revert timer (or `vpngw rollback`) undoes it.
//
//   <state_dir>/pending/          0700
//     record                      0600  what is pending: id, profile, deadline,
//                                       how many of the planned ops completed
//     inverse.toml                0600  for each planned op, the op that undoes it
//     files/                      0700  the state directory's top-level files as
//                                       they were before the apply (keys included)
//     files/.list                 0600  their names; files not listed are removed
//                                       on revert
//
// `record` is written last and removed first: its presence alone means "an
// apply is pending". Every change to the pending state happens under the
// StateLock, which is how `vpngw confirm` and the timer never both act.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/replay.hpp"
#include "model/profile.hpp"
#include "ops/op.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

struct PendingApply {
    std::string id;             // distinguishes this pending apply from later ones
    std::string profile;        // path of the profile that was applied
    std::int64_t created = 0;   // unix seconds
    std::int64_t deadline = 0;  // unix seconds: revert at this time unless confirmed
    std::size_t planned = 0;    // operations planned
    std::size_t completed = 0;  // of those, applied so far
    // What the revert needs to reach the WireGuard devices again.
    std::string wireguard_go;
    std::vector<std::pair<std::string, model::Backend>> interfaces;
};

struct PendingStatus {
    PendingApply apply;
    std::chrono::seconds left{0};  // 0 when the deadline has passed
};

// The pending apply of a state directory and the time left, or nullopt when
// nothing is pending. Reads only; no lock needed (the record is replaced
// atomically). For `vpngw status`.
Result<std::optional<PendingStatus>> pending_status(const std::string& state_dir);

// "up /etc/vpngw/office.toml, reverts at 14:02:31 (87 s left)".
std::string describe_pending(const PendingStatus& status);

// An error when an apply is pending: another change (up, down, peer add or
// remove) made now would be lost or half-undone by its revert.
Status refuse_while_pending(const std::string& state_dir);

// First half of starting a pending apply, before anything (even a key file)
// changes: fails when an apply is already pending, clears leftovers of an
// interrupted start, and copies the state directory's files into the
// snapshot. Caller holds the StateLock.
Status prepare_pending(const store::StatePaths& paths);

// Second half: writes the inverse ops (inverse[i] undoes the i-th planned
// op), then the record; from then on the apply is pending.
Status begin_pending(const store::StatePaths& paths, const PendingApply& apply,
                     const std::vector<ops::Op>& inverse);

// Drops a prepared or pending apply without undoing anything (the apply did
// not happen, or failed and was rolled back). Caller holds the StateLock.
Status discard_pending(const store::StatePaths& paths);

// Rewrites the record (progress, final deadline). Caller holds the StateLock.
Status update_pending(const store::StatePaths& paths, const PendingApply& apply);

// Forgets the pending apply: the new state stays. Caller holds the StateLock.
// Returns what was pending, or nullopt when nothing was.
Result<std::optional<PendingApply>> confirm_pending(const store::StatePaths& paths);

// The indices of the inverse ops a revert runs, in the order it runs them:
// every completed operation's, and the one in flight when the apply was
// interrupted (completed < planned), last first. Never beyond `inverse_count`.
std::vector<std::size_t> undo_order(const PendingApply& apply, std::size_t inverse_count);

// Opens the kernel for a revert (exec::open_replay; tests pass a recorder).
using OpenRunner = std::function<Result<exec::RunOp>(
    const std::string& wireguard_go,
    const std::vector<std::pair<std::string, model::Backend>>& interfaces)>;

struct RevertReport {
    PendingApply apply;
    std::size_t undone = 0;
    std::vector<std::string> failures;  // operations that could not be undone
};

// Undoes the pending apply now: the inverse of every completed operation
// (and of the one in flight if the apply was interrupted) in reverse order,
// then the state directory's files as they were; then forgets it. With
// `only_id`, acts only when that apply is the pending one. nullopt when
// nothing (matching) is pending. Caller holds the StateLock.
Result<std::optional<RevertReport>> revert_pending(const store::StatePaths& paths,
                                                   const OpenRunner& open = exec::open_replay,
                                                   const std::string& only_id = {});

// Appends a timestamped line to <state_dir>/revert.log (what the detached
// timer did, since it has no terminal).
void log_revert(const store::StatePaths& paths, const std::string& line);

}  // namespace vpngw::txn
