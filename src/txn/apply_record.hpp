#pragma once

// What `up` and `down` keep in the state directory around one apply, behind
// one object, so the apply itself reads as a straight path (resolve, observe,
// diff, guard, record, apply, finish):
//
//   open()             refuse while an apply is pending confirmation; read the
//                      record an interrupted run left; with --confirm,
//                      snapshot the state directory before anything in it
//                      changes (resolving the desired state may write a key)
//   begin(planned)     before the first change: the sysctl baseline (`up`),
//                      the pending apply, its inverse ops and revert timer
//                      (--confirm), the progress record
//   applied_one()      after each applied operation
//   finish()           the apply succeeded: drop the progress record, the
//                      sysctl baseline (`down`), start the confirm wait
//
// An ApplyRecord destroyed before finish() (or nothing_to_apply()) means the
// apply did not happen or exec rolled it back: the snapshot and the progress
// record it wrote are removed. A crash leaves both, which is their purpose.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/profile.hpp"
#include "ops/op.hpp"
#include "store/state_paths.hpp"
#include "txn/apply_progress.hpp"
#include "txn/pending.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

struct ApplySettings {
    std::string command;  // "up" / "down"
    std::string profile;  // the profile's path, for messages and the records
    // `up --confirm`: keep the result only if `vpngw confirm` comes within this time.
    std::optional<std::chrono::seconds> confirm;
    // What a revert in another process needs to reach the WireGuard devices.
    std::string wireguard_go;
    std::vector<std::pair<std::string, model::Backend>> interfaces;
};

class ApplyRecord {
  public:
    ApplyRecord(store::StatePaths paths, ApplySettings settings);
    ~ApplyRecord();
    ApplyRecord(const ApplyRecord&) = delete;
    ApplyRecord& operator=(const ApplyRecord&) = delete;

    Status open();
    // What the run this one follows left when it was killed mid-apply.
    const std::optional<ApplyProgress>& interrupted() const { return interrupted_; }
    // The sysctl values from before vpngw first changed them (for `down`).
    Result<std::vector<state::Sysctl>> sysctl_baseline() const;

    // The kernel already matches: forgets the snapshot and the record of an
    // interrupted run (this run converged for it).
    Status nothing_to_apply();
    // `observed` is the kernel as the diff saw it: what the inverse ops restore.
    Status begin(const std::vector<ops::Op>& planned, const ops::Observed& observed);
    void applied_one();
    Status finish();
    // With --confirm, after finish(): the apply now waiting for `vpngw confirm`.
    const std::optional<PendingStatus>& pending() const { return pending_status_; }

  private:
    bool confirming() const { return settings_.confirm.has_value(); }

    store::StatePaths paths_;
    ApplySettings settings_;
    std::optional<ApplyProgress> interrupted_;
    const std::vector<ops::Op>* planned_ = nullptr;
    ApplyProgress progress_;
    PendingApply pending_;
    std::optional<PendingStatus> pending_status_;
    std::size_t done_ = 0;
    Status progress_failure_ = ok_status();
    bool snapshotted_ = false;  // prepare_pending ran
    bool began_ = false;        // the progress record exists
    bool settled_ = false;      // finished, or nothing to apply
};

}  // namespace vpngw::txn
