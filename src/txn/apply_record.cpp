#include "txn/apply_record.hpp"

#include <unistd.h>

#include <ctime>

#include "exec/nft_query.hpp"
#include "txn/inverse.hpp"
#include "txn/revert_timer.hpp"
#include "txn/sysctl_baseline.hpp"

namespace vpngw::txn {

namespace {

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// The kernel's routes with their owners: a planned route add that finds an
// identical foreign one is a takeover, whose revert hands it back.
Result<std::vector<netlink::RouteEntry>> dump_all_routes() {
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return sock.error();
    return netlink::dump_routes(*sock, std::nullopt);
}

}  // namespace

ApplyRecord::ApplyRecord(store::StatePaths paths, ApplySettings settings)
    : paths_(std::move(paths)), settings_(std::move(settings)) {}

ApplyRecord::~ApplyRecord() {
    if (settled_) return;
    // Not applied, or rolled back by exec: nothing is left to confirm or revert.
    if (began_) (void)remove_progress(paths_);
    if (snapshotted_) (void)discard_pending(paths_);
}

Status ApplyRecord::open() {
    if (auto st = refuse_while_pending(paths_.dir); !st) return st;
    auto left = load_progress(paths_);
    if (!left) return left.error();
    interrupted_ = std::move(*left);
    if (confirming()) {
        if (auto st = prepare_pending(paths_); !st) return st;
        snapshotted_ = true;
    }
    return ok_status();
}

Result<std::vector<state::Sysctl>> ApplyRecord::sysctl_baseline() const {
    return load_sysctl_baseline(paths_);
}

Status ApplyRecord::nothing_to_apply() {
    settled_ = true;
    if (snapshotted_) (void)discard_pending(paths_);
    if (interrupted_) return remove_progress(paths_);
    return ok_status();
}

Status ApplyRecord::begin(const std::vector<ops::Op>& planned, const ops::Observed& observed) {
    planned_ = &planned;
    // Remember the sysctls as they were before vpngw first changed them.
    if (settings_.command == "up")
        if (auto st = record_sysctl_baseline(paths_, observed.sysctls); !st) return st;
    if (confirming()) {
        auto inverse =
            inverse_ops(planned, observed, paths_, exec::owned_table_text, dump_all_routes);
        if (!inverse) return inverse.error();
        pending_.created = now_seconds();
        pending_.id = std::to_string(pending_.created) + "-" + std::to_string(::getpid());
        pending_.profile = settings_.profile;
        pending_.deadline = pending_.created + settings_.confirm->count();
        pending_.planned = planned.size();
        pending_.wireguard_go = settings_.wireguard_go;
        pending_.interfaces = settings_.interfaces;
        if (auto st = begin_pending(paths_, pending_, *inverse); !st) return st;
        // Armed before the first change: a CLI killed mid-apply is reverted too.
        auto timer = spawn_revert_timer(paths_.dir, pending_.deadline, pending_.id);
        if (!timer) return timer.error();
    }
    progress_.command = settings_.command;
    progress_.profile = settings_.profile;
    began_ = true;
    return begin_progress(paths_, progress_, planned);
}

void ApplyRecord::applied_one() {
    ++done_;
    if (confirming()) {
        pending_.completed = done_;
        if (auto st = update_pending(paths_, pending_); !st && progress_failure_)
            progress_failure_ = st;
    }
    if (auto st = advance_progress(paths_, progress_, done_, *planned_); !st && progress_failure_)
        progress_failure_ = st;
}

Status ApplyRecord::finish() {
    // Applied: whatever fails from here, the pending apply stays for its timer.
    settled_ = true;
    if (auto st = remove_progress(paths_); !st) return st;
    if (settings_.command == "down")
        if (auto st = forget_sysctl_baseline(paths_); !st) return st;
    if (confirming()) {
        // The wait starts once everything is applied.
        pending_.completed = planned_ ? planned_->size() : 0;
        pending_.deadline = now_seconds() + settings_.confirm->count();
        if (auto st = update_pending(paths_, pending_); !st) return st;
        pending_status_ = PendingStatus{pending_, *settings_.confirm};
    }
    return progress_failure_;
}

}  // namespace vpngw::txn
