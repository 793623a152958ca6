// The ApplyRecord that `up`/`down` drive (without --confirm, which starts a
// revert timer process): what is in the state directory after each step, and
// after an apply that stopped before finishing.

#include "txn/apply_record.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "txn/sysctl_baseline.hpp"

namespace vpngw::txn {
namespace {

ops::Op sysctl(const char* value) {
    return {ops::SysctlSet{{"net.ipv4.ip_forward", value}, "0"}, {}};
}

ApplySettings settings(const char* command) {
    ApplySettings s;
    s.command = command;
    s.profile = "/etc/vpngw/office.toml";
    return s;
}

ops::Observed observed() {
    ops::Observed o;
    o.sysctls = {{"net.ipv4.ip_forward", "0"}};
    return o;
}

bool exists(const std::string& path) {
    return mode_of(path) != -1;
}

TEST(ApplyRecord, UpRecordsTheBaselineAndDropsItsProgressWhenDone) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    const std::vector<ops::Op> planned{sysctl("1"), sysctl("2")};
    {
        ApplyRecord record(paths, settings("up"));
        ASSERT_TRUE(record.open());
        EXPECT_FALSE(record.interrupted());
        ASSERT_TRUE(record.begin(planned, observed()));
        EXPECT_TRUE(exists(paths.apply_progress_file()));
        record.applied_one();
        auto mid = load_progress(paths);
        ASSERT_TRUE(mid && *mid);
        EXPECT_EQ((*mid)->completed, 1u);
        record.applied_one();
        ASSERT_TRUE(record.finish());
        EXPECT_FALSE(record.pending());
    }
    EXPECT_FALSE(exists(paths.apply_progress_file()));
    auto baseline = load_sysctl_baseline(paths);
    ASSERT_TRUE(baseline);
    EXPECT_EQ(*baseline, observed().sysctls);

    ApplyRecord down(paths, settings("down"));
    ASSERT_TRUE(down.open());
    auto restore = down.sysctl_baseline();
    ASSERT_TRUE(restore);
    EXPECT_EQ(*restore, observed().sysctls);
    ASSERT_TRUE(down.begin({sysctl("0")}, observed()));
    down.applied_one();
    ASSERT_TRUE(down.finish());
    EXPECT_FALSE(exists(paths.sysctl_baseline_file())) << "down restored it";
}

TEST(ApplyRecord, AnApplyThatDidNotFinishLeavesNoProgress) {
    // exec rolled the ops back and the command returns its error: the record
    // must not make the next run believe it was killed.
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    {
        ApplyRecord record(paths, settings("up"));
        ASSERT_TRUE(record.open());
        ASSERT_TRUE(record.begin({sysctl("1")}, observed()));
    }
    EXPECT_FALSE(exists(paths.apply_progress_file()));
}

TEST(ApplyRecord, ReportsTheInterruptedRunAndForgetsItOnceConverged) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    ApplyProgress left;
    left.command = "up";
    left.profile = "/etc/vpngw/office.toml";
    left.pid = 7;
    left.ops = {"+ link wg0"};
    left.in_flight_link = "wg0";
    std::ofstream(paths.legacy_apply_progress_file()) << format_progress(left);

    ApplyRecord record(paths, settings("up"));
    ASSERT_TRUE(record.open());
    ASSERT_TRUE(record.interrupted());
    EXPECT_EQ(record.interrupted()->in_flight_link, "wg0");
    EXPECT_NE(record.interrupted()->summary().find("(pid 7) was interrupted after 0 of 1"),
              std::string::npos);
    ASSERT_TRUE(record.nothing_to_apply());
    EXPECT_FALSE(exists(paths.apply_progress_file()));
    EXPECT_FALSE(exists(paths.legacy_apply_progress_file()));
}

TEST(ApplyRecord, ADamagedRecordOfAnInterruptedRunStopsTheApply) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    std::ofstream(paths.apply_progress_file()) << "command = [\n";
    ApplyRecord record(paths, settings("up"));
    auto st = record.open();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().where.file, paths.apply_progress_file());
}

}  // namespace
}  // namespace vpngw::txn
