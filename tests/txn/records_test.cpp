// The two small records of the apply: last-apply (for status and metrics)
// and the sysctl baseline (what `down` restores).

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"
#include "txn/last_apply.hpp"
#include "txn/sysctl_baseline.hpp"

namespace vpngw::txn {
namespace {

void write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(LastApplyRecord, RoundTripsThroughItsFile) {
    TempDir dir;
    const store::StatePaths paths{dir / "state"};
    auto none = load_last_apply(paths);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    const LastApply a{1714564800, 412, true, 9};
    ASSERT_TRUE(save_last_apply(paths, a));
    EXPECT_EQ(mode_of(paths.last_apply_file()), 0600);
    auto back = load_last_apply(paths);
    ASSERT_TRUE(back && *back);
    EXPECT_EQ(**back, a);
}

TEST(LastApplyRecord, ATornOrForeignFileReadsAsNoRecord) {
    EXPECT_FALSE(parse_last_apply(""));
    EXPECT_FALSE(parse_last_apply("finished = 1\nduration_ms = 2\n"));  // torn before result
    EXPECT_FALSE(parse_last_apply("finished = 1\nduration_ms = 2\nresult = maybe\n"));
    EXPECT_FALSE(parse_last_apply("finished = 1x\nduration_ms = 2\nresult = ok\n"));
    auto minimal = parse_last_apply("finished = 1\nduration_ms = 2\nresult = failed\n");
    ASSERT_TRUE(minimal);
    EXPECT_FALSE(minimal->ok);
    EXPECT_EQ(minimal->changes, 0u);
}

TEST(SysctlBaseline, IsRecordedOnceAndRestoredFrom) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    auto none = load_sysctl_baseline(paths);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());

    const std::vector<state::Sysctl> before{{"net.ipv4.ip_forward", "0"},
                                            {"net.ipv4.conf.all.rp_filter", "2"}};
    ASSERT_TRUE(record_sysctl_baseline(paths, before));
    EXPECT_EQ(mode_of(paths.sysctl_baseline_file()), 0600);
    // A second `up` sees vpngw's own values: they must not become the baseline.
    ASSERT_TRUE(record_sysctl_baseline(paths, {{"net.ipv4.ip_forward", "1"}}));
    auto back = load_sysctl_baseline(paths);
    ASSERT_TRUE(back) << back.error().str();
    EXPECT_EQ(*back, before);

    ASSERT_TRUE(forget_sysctl_baseline(paths));
    EXPECT_EQ(mode_of(paths.sysctl_baseline_file()), -1);
    EXPECT_TRUE(forget_sysctl_baseline(paths)) << "forgetting twice is fine";
}

TEST(SysctlBaseline, AMalformedLineIsAnErrorWithFileAndLine) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    write(paths.sysctl_baseline_file(), "# comment\nnet.ipv4.ip_forward = 0\nrp_filter=2\n");
    auto r = load_sysctl_baseline(paths);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.file, paths.sysctl_baseline_file());
    EXPECT_EQ(r.error().where.line, 3);
}

}  // namespace
}  // namespace vpngw::txn
