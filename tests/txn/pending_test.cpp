// `up --confirm`'s pending apply without a kernel: the snapshot of the state
// directory, the record, and the revert, with a runner that records the ops
// it is asked to undo instead of applying them.

#include "txn/pending.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "store/atomic_file.hpp"
#include "txn/apply_progress.hpp"

namespace vpngw::txn {
namespace {

std::string read(const std::string& path) {
    auto t = store::read_file_if_exists(path);
    return t && *t ? **t : std::string("<missing>");
}

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

ops::Op sysctl(const char* value) {
    return {ops::SysctlSet{{"net.ipv4.ip_forward", value}, "0"}, {}};
}

// The state directory of a gateway, then `up --confirm` started on it:
// snapshot, record with three planned ops (their inverses: sysctl = a, b, c).
struct Pending {
    TempDir dir;
    store::StatePaths paths{dir.path()};
    PendingApply apply;

    Pending() {
        write(paths.peers_file(), "peers before\n");
        write(dir / "wg0.key", "key before\n");
        write(paths.lock_file(), "4242\n");
        write(paths.revert_log_file(), "an old line\n");
        EXPECT_TRUE(prepare_pending(paths));
        apply.id = "1714567890-4242";
        apply.profile = "/etc/vpngw/office.toml";
        apply.created = 1714567890;
        apply.deadline = 1714568010;
        apply.planned = 3;
        apply.wireguard_go = "/usr/local/bin/wireguard-go";
        apply.interfaces = {{"wg0", model::Backend::userspace}};
        EXPECT_TRUE(begin_pending(paths, apply, {sysctl("a"), sysctl("b"), sysctl("c")}));
    }
};

struct Recorder {
    std::vector<std::string> ran;
    std::string wireguard_go;
    std::vector<std::pair<std::string, model::Backend>> interfaces;
    std::string fail_on;  // the value of the sysctl op to refuse

    OpenRunner open() {
        return [this](const std::string& wg_go, const auto& ifaces) -> Result<exec::RunOp> {
            wireguard_go = wg_go;
            interfaces = ifaces;
            return exec::RunOp([this](const ops::Op& op) -> Status {
                const auto& value = std::get<ops::SysctlSet>(op.payload).sysctl.value;
                ran.push_back(value);
                if (value == fail_on) return Error{"refused " + value};
                return ok_status();
            });
        };
    }
};

TEST(UndoOrder, UndoesTheCompletedOpsAndTheOneInFlightLastFirst) {
    PendingApply a;
    a.planned = 4;
    a.completed = 2;
    EXPECT_EQ(undo_order(a, 4), (std::vector<std::size_t>{2, 1, 0}));
    a.completed = 4;
    EXPECT_EQ(undo_order(a, 4), (std::vector<std::size_t>{3, 2, 1, 0}));
    a.completed = 0;
    EXPECT_EQ(undo_order(a, 4), (std::vector<std::size_t>{0}));
    a.completed = 4;
    EXPECT_EQ(undo_order(a, 2), (std::vector<std::size_t>{1, 0})) << "never past the inverse ops";
    a.planned = 0;
    a.completed = 0;
    EXPECT_TRUE(undo_order(a, 0).empty());
}

TEST(Pending, IsVisibleAndRefusesOtherChanges) {
    Pending p;
    auto status = pending_status(p.paths.dir);
    ASSERT_TRUE(status) << status.error().str();
    ASSERT_TRUE(*status);
    EXPECT_EQ((*status)->apply.id, p.apply.id);
    EXPECT_EQ((*status)->apply.interfaces, p.apply.interfaces);
    EXPECT_EQ((*status)->left.count(), 0) << "its deadline is long past";
    auto refused = refuse_while_pending(p.paths.dir);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("an apply is pending confirmation: up "
                                           "/etc/vpngw/office.toml"),
              std::string::npos)
        << refused.error().message;
    EXPECT_FALSE(prepare_pending(p.paths)) << "a second pending apply is refused";
}

TEST(Pending, SnapshotsTheStateFilesButNotTheProcesssOwn) {
    Pending p;
    const std::string list = read(p.paths.pending_files_list());
    EXPECT_NE(list.find("peers.tsv\n"), std::string::npos);
    EXPECT_NE(list.find("wg0.key\n"), std::string::npos);
    EXPECT_EQ(list.find("lock"), std::string::npos);
    EXPECT_EQ(list.find("revert.log"), std::string::npos);
    EXPECT_EQ(mode_of(p.paths.pending_files_dir() + "/wg0.key"), 0600);
}

TEST(Pending, ARevertUndoesWhatRanAndPutsTheFilesBack) {
    Pending p;
    // The apply ran two of its three ops, then the CLI was killed.
    p.apply.completed = 2;
    ASSERT_TRUE(update_pending(p.paths, p.apply));
    write(p.paths.peers_file(), "peers after\n");
    write(p.dir / "wg0.key", "key after\n");
    write(p.dir / "nft-listing.sha256", "new\n");
    write(p.paths.apply_progress_file(), "left by the killed run\n");

    Recorder r;
    auto reverted = revert_pending(p.paths, r.open());
    ASSERT_TRUE(reverted) << reverted.error().str();
    ASSERT_TRUE(*reverted);
    EXPECT_EQ(r.ran, (std::vector<std::string>{"c", "b", "a"}));
    EXPECT_EQ(r.wireguard_go, "/usr/local/bin/wireguard-go");
    EXPECT_EQ(r.interfaces, p.apply.interfaces);
    EXPECT_EQ((*reverted)->undone, 3u);
    EXPECT_TRUE((*reverted)->failures.empty());

    EXPECT_EQ(read(p.paths.peers_file()), "peers before\n");
    EXPECT_EQ(read(p.dir / "wg0.key"), "key before\n");
    EXPECT_EQ(mode_of(p.dir / "nft-listing.sha256"), -1) << "not in the snapshot: removed";
    EXPECT_EQ(read(p.paths.lock_file()), "4242\n");
    EXPECT_EQ(mode_of(p.paths.apply_progress_file()), -1);
    EXPECT_EQ(mode_of(p.paths.pending_dir()), -1);
    auto after = pending_status(p.paths.dir);
    ASSERT_TRUE(after);
    EXPECT_FALSE(*after);
}

TEST(Pending, OnlyACompletedOpThatCannotBeUndoneIsAFailure) {
    Pending p;
    p.apply.completed = 1;  // "b" was in flight: it may never have happened
    ASSERT_TRUE(update_pending(p.paths, p.apply));
    Recorder r;
    r.fail_on = "b";
    auto reverted = revert_pending(p.paths, r.open());
    ASSERT_TRUE(reverted && *reverted);
    EXPECT_EQ(r.ran, (std::vector<std::string>{"b", "a"}));
    EXPECT_TRUE((*reverted)->failures.empty());
    EXPECT_EQ((*reverted)->undone, 1u);

    Pending q;
    q.apply.completed = 3;
    ASSERT_TRUE(update_pending(q.paths, q.apply));
    Recorder s;
    s.fail_on = "b";
    reverted = revert_pending(q.paths, s.open());
    ASSERT_TRUE(reverted && *reverted);
    ASSERT_EQ((*reverted)->failures.size(), 1u);
    EXPECT_EQ((*reverted)->failures[0], "refused b");
    EXPECT_EQ(s.ran, (std::vector<std::string>{"c", "b", "a"})) << "the rest is still undone";
}

TEST(Pending, ARevertForAnotherApplyDoesNothing) {
    Pending p;
    Recorder r;
    auto reverted = revert_pending(p.paths, r.open(), "some-other-id");
    ASSERT_TRUE(reverted);
    EXPECT_FALSE(*reverted);
    EXPECT_TRUE(r.ran.empty());
    auto still = pending_status(p.paths.dir);
    ASSERT_TRUE(still && *still);
}

TEST(Pending, ConfirmKeepsTheNewStateAndForgetsTheSnapshot) {
    Pending p;
    write(p.paths.peers_file(), "peers after\n");
    auto confirmed = confirm_pending(p.paths);
    ASSERT_TRUE(confirmed) << confirmed.error().str();
    ASSERT_TRUE(*confirmed);
    EXPECT_EQ((*confirmed)->id, p.apply.id);
    EXPECT_EQ(read(p.paths.peers_file()), "peers after\n");
    EXPECT_EQ(mode_of(p.paths.pending_dir()), -1);
    Recorder r;
    auto reverted = revert_pending(p.paths, r.open());
    ASSERT_TRUE(reverted);
    EXPECT_FALSE(*reverted) << "nothing is pending any more";
}

TEST(Pending, ADamagedRecordIsAnErrorWithItsLine) {
    Pending p;
    write(p.paths.pending_record_file(), "id = \"x\"\nplanned = [\n");
    auto status = pending_status(p.paths.dir);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().where.file, p.paths.pending_record_file());
    EXPECT_GT(status.error().where.line, 0);
}

}  // namespace
}  // namespace vpngw::txn
