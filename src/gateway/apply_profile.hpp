#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gateway/session.hpp"
#include "guard/lockout.hpp"
#include "ops/op.hpp"
#include "txn/pending.hpp"
#include "util/error.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct ChangeReport {
    std::vector<ops::Op> ops;  // what was (or, for plan, would be) done
    bool applied = false;
    // A journal left by a run killed mid-apply, found and reconciled by this one.
    std::optional<std::string> interrupted;
    std::vector<std::string> notes;  // repairs made because of that journal
    // With --confirm: the apply now waiting for `vpngw confirm`.
    std::optional<txn::PendingStatus> pending;
    // Nothing to apply, proven from the record of the last `up` without
    // planning (gateway/noop_proof.hpp).
    bool proven = false;
};

using Progress = std::function<void(const ops::Op&)>;

struct UpOptions {
    Progress progress;
    // Apply even when the lockout guard says management would be cut.
    bool force = false;
    // The caller's SSH session (SSH_CONNECTION), checked by the lockout guard.
    std::optional<guard::SshConnection> ssh;
    // Keep the result only if `vpngw confirm` arrives within this time.
    std::optional<std::chrono::seconds> confirm;
    // Where warnings found while reading a deferred session's registry peers
    // go (StoredPeers::deferred; open_session reports the others).
    Diagnostics* diagnostics = nullptr;
};

struct CheckReport {
    std::vector<ops::Op> ops;  // what `up` would run
    Diagnostics problems;      // errors: `up` would fail or cut management
};

// `vpngw plan`: the operations `up` would run now. Reads the kernel, writes nothing.
// With `consume_peers`, the session's peer lists (stored and merged) are freed
// once the desired state is resolved, before the kernel is read: a caller that
// needs them no more halves its peak memory at 50,000 peers.
Result<ChangeReport> plan_up(Session& session, bool consume_peers = false);

// `vpngw up --check`: plan_up plus everything that can be known to fail
// without applying: the kernel validates the firewall (and aborts the
// batch), routes and rules are checked against the live tables, the lockout
// guard runs. Writes neither the kernel nor the state directory (no keys are
// generated). Errors of the Result are failures to check at all.
Result<CheckReport> check_up(Session& session, const std::optional<guard::SshConnection>& ssh);

// `vpngw up`: reconciles the kernel with the profile; applies only the
// difference, or nothing when the kernel already matches. A session opened
// with StoredPeers::deferred is first checked against the record of the last
// `up` (gateway/noop_proof.hpp), and its peers are read only when that does
// not prove the kernel matches. Refused while an
// apply is pending confirmation, and (without force) when the lockout guard
// finds that management would be cut.
Result<ChangeReport> up(Session& session, const UpOptions& options);
Result<ChangeReport> up(Session& session, const Progress& progress = {});

// `vpngw down`: removes what vpngw created for the profile and restores the
// sysctls it changed. Refused while an apply is pending confirmation.
Result<ChangeReport> down(Session& session, const Progress& progress = {});

}  // namespace vpngw::gateway
