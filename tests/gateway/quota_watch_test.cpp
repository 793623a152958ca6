// The monitor's decision to read the peers again for quota resets
// (gateway/quota_watch.hpp): only when the profile or the registry changed,
// and then with the quota added since.
#include "gateway/quota_watch.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "gateway/quota_clock.hpp"
#include "plan/quota_periods.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

using Clock = std::chrono::system_clock;

// Long after any write of the test: no look counts as too close to a change.
Clock::time_point later() {
    return Clock::now() + std::chrono::hours(1);
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
}

// A rewrite of the same size is a change; a metadata change is not: SQLite
// running as root chowns the write-ahead log to the database's owner whenever
// a reader opens it, which moves the ctime only, and `status` or `peer list`
// must not make the monitor read every peer again.
TEST(QuotaWatch, ARewriteOfTheSameSizeIsAChangeAChmodIsNot) {
    TempDir tmp;
    const std::string a = tmp.path() + "/profile.toml";
    write_file(a, "one");
    const timespec old_times[2] = {{1577836800, 0}, {1577836800, 0}};  // 2020
    ASSERT_EQ(::utimensat(AT_FDCWD, a.c_str(), old_times, 0), 0);
    ChangeWatch watch({a}, later());
    ASSERT_EQ(::chmod(a.c_str(), 0640), 0);
    EXPECT_FALSE(watch.changed(later()));
    write_file(a, "two");
    EXPECT_TRUE(watch.changed(later()));
    EXPECT_FALSE(watch.changed(later()));
}

TEST(QuotaWatch, NothingChangedIsNoChangeAFileThatAppearsOrGoesIs) {
    TempDir tmp;
    const std::string profile = tmp.path() + "/profile.toml";
    const std::string wal = tmp.path() + "/peers.db-wal";
    write_file(profile, "one");
    ChangeWatch watch({profile, wal}, later());
    EXPECT_FALSE(watch.changed(later()));
    EXPECT_FALSE(watch.changed(later()));
    write_file(wal, "x");
    EXPECT_TRUE(watch.changed(later()));
    ASSERT_EQ(::unlink(wal.c_str()), 0);
    EXPECT_TRUE(watch.changed(later()));
    EXPECT_FALSE(watch.changed(later()));
}

TEST(QuotaWatch, ALookRightAfterAWriteCountsAsChangedOnceMore) {
    TempDir tmp;
    const std::string a = tmp.path() + "/profile.toml";
    write_file(a, "one");
    ChangeWatch watch({a}, Clock::now());  // the write was just now: cannot tell yet
    EXPECT_TRUE(watch.changed(later()));
    EXPECT_FALSE(watch.changed(later()));
    watch.mark_unsure();
    EXPECT_TRUE(watch.changed(later()));
    EXPECT_FALSE(watch.changed(later()));
}

// The whole decision on a real registry: a peer given a quota after the
// watch started is seen, and its period's reset comes due.
TEST(QuotaWatch, AQuotaAddedInTheRegistryIsSeenAndComesDue) {
    TempDir tmp;
    auto s = open(tmp.path());
    EXPECT_TRUE(peers_with_quotas(s.profile).empty());
    FakeLive live;
    live.up = false;
    auto added = add_peer(s, AddPeerRequest{"alice", "staff", std::nullopt, false}, live);
    ASSERT_TRUE(added.ok()) << added.error().str();
    const auto sources = peer_sources(kFixture, tmp.path());
    ChangeWatch watch(sources, later());
    EXPECT_FALSE(watch.changed(later()));

    auto edited = s.registry->update(
        "alice",
        [](registry::PeerRecord& r) {
            registry::set_quota(r, model::Quota{10u << 20, model::QuotaPeriod::day});
            return ok_status();
        },
        nullptr, s.actor("peer edit"));
    ASSERT_TRUE(edited.ok()) << edited.error().str();
    ASSERT_TRUE(watch.changed(later()));
    // Read as the monitor does: without the lock (the command holds it).
    Options o;
    o.profile_path = kFixture;
    o.state_dir = tmp.path();
    Diagnostics diags;
    auto again = open_session(o, LockMode::none, diags);
    ASSERT_TRUE(again.ok()) << again.error().str();
    const auto peers = peers_with_quotas(again->profile);
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].name, "alice");
    // Its daily reset comes due at the next midnight (UTC).
    const auto noon =
        std::chrono::sys_days{std::chrono::year{2030} / 1 / 1} + std::chrono::hours(12);
    const auto due = plan::quotas_due(peers, noon, noon + std::chrono::hours(13));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_NE(due[0].find("alice"), std::string::npos) << due[0];
    EXPECT_FALSE(watch.changed(later()));
}

}  // namespace
}  // namespace vpngw::gateway::test
