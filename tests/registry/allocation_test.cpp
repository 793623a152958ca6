#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>

#include "support.hpp"

namespace vpngw::registry::test {
namespace {

Result<PeerRecord> add(Registry& reg, const model::Profile& profile, const std::string& name,
                       int seed, const std::string& group = "staff") {
    const Allocator allocate = profile_allocator(profile, group);
    return reg.add(record(name, seed, group), &allocate, kActor);
}

TEST(RegistryAllocation, TakesTheLowestAddressLeftByTheProfileAndStoredPeers) {
    TempDir tmp;
    auto session = open_session(tmp / "session");
    auto reg = open_registry(tmp / "state");
    // As PeerAdd.TakesTheLowestAddressLeftByProfileAndStoredPeers: the
    // profile's peers hold .1 and .2, the gateway 10.77.0.1 (another subnet).
    auto alice = add(*reg, session.profile, "alice", 1);
    ASSERT_TRUE(alice.ok()) << alice.error().str();
    EXPECT_EQ(alice->address, ip("10.77.1.3"));
    EXPECT_EQ(alice->address6, ip("fd77:0:0:1::3"));
    auto bob = add(*reg, session.profile, "bob", 2);
    ASSERT_TRUE(bob.ok());
    EXPECT_EQ(bob->address, ip("10.77.1.4"));
    ASSERT_TRUE(add(*reg, session.profile, "carol", 3).ok());
    // A removed peer's address is the lowest free one again.
    ASSERT_TRUE(reg->remove("bob", kActor).ok());
    auto dave = add(*reg, session.profile, "dave", 4);
    ASSERT_TRUE(dave.ok());
    EXPECT_EQ(dave->address, ip("10.77.1.4"));
    EXPECT_EQ(dave->address6, ip("fd77:0:0:1::4"));
    // What add returned is what was stored.
    EXPECT_EQ(**reg->find("dave"), *dave);
}

TEST(RegistryAllocation, AFullSubnetIsTheAllocatorsErrorAndChangesNothing) {
    TempDir tmp;
    auto session = open_session(tmp / "session");
    auto reg = open_registry(tmp / "state");
    ASSERT_TRUE(add(*reg, session.profile, "t1", 1, "tiny").ok());
    ASSERT_TRUE(add(*reg, session.profile, "t2", 2, "tiny").ok());
    auto third = add(*reg, session.profile, "t3", 3, "tiny");
    ASSERT_FALSE(third.ok());
    EXPECT_NE(third.error().message.find("subnet 10.77.2.0/30 of group \"tiny\" is full"),
              std::string::npos)
        << third.error().message;
    EXPECT_EQ(third.error().where.file, kProfile);
    EXPECT_EQ(reg->list()->size(), 2u);
    EXPECT_EQ(reg->audit()->size(), 2u);
    // A taken name is reported as such, before allocation is tried.
    auto again = add(*reg, session.profile, "t1", 4, "tiny");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(
        again.error().message.rfind("name: a peer named \"t1\" already exists (group tiny)", 0), 0u)
        << again.error().message;
}

// The same random sequence of adds and removes through today's `peer add`
// (store/ + gateway) and through the registry hands out the same addresses.
TEST(RegistryAllocation, MatchesTodaysPeerAddOnARandomSequence) {
    TempDir tmp;
    auto session = open_session(tmp / "session");
    // Registry allocation sees only the profile's own peers: `session` merges
    // the old store's peers into its profile, which would reserve them twice.
    auto fresh = open_session(tmp / "fresh");
    auto reg = open_registry(tmp / "state");
    gateway::test::FakeLive live;
    live.up = false;
    std::mt19937 rng(17);
    std::vector<std::string> present;
    const std::vector<std::string> groups = {"staff", "staff", "tiny", "v6only"};
    for (int i = 0; i < 60; ++i) {
        if (!present.empty() && rng() % 3 == 0) {
            const std::size_t k = rng() % present.size();
            const std::string name = present[k];
            present.erase(present.begin() + static_cast<long>(k));
            ASSERT_TRUE(gateway::remove_peer(session, name, live).ok()) << name;
            ASSERT_TRUE(reg->remove(name, kActor).ok()) << name;
            continue;
        }
        const std::string name = "n" + std::to_string(i);
        const std::string group = groups[rng() % groups.size()];
        auto old =
            gateway::add_peer(session, gateway::AddPeerRequest{name, group, key_from(i)}, live);
        auto now = add(*reg, fresh.profile, name, i, group);
        ASSERT_EQ(old.ok(), now.ok())
            << name << ": " << (old.ok() ? now.error().str() : old.error().str());
        if (!old.ok()) {
            EXPECT_NE(old.error().message.find("is full"), std::string::npos);
            continue;
        }
        EXPECT_EQ(old->peer.address, now->address) << name;
        EXPECT_EQ(old->peer.address6, now->address6) << name;
        present.push_back(name);
    }
    EXPECT_GT(present.size(), 5u);
}

// 50 processes add a peer each at the same moment to one fresh state
// directory: each gets its own address, the 50 lowest free ones.
TEST(RegistryAllocation, FiftyConcurrentAddsFromSeparateProcessesGetUniqueAddresses) {
    TempDir tmp;
    auto session = open_session(tmp / "session");
    const std::string dir = tmp / "state";
    constexpr int kProcesses = 50;
    int gate[2];
    ASSERT_EQ(pipe(gate), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < kProcesses; ++i) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(gate[1]);
            char c;
            (void)!read(gate[0], &c, 1);  // returns at EOF: when the parent opens the gate
            auto reg = open_sqlite_registry(dir, kActor);
            if (!reg) {
                fprintf(stderr, "child %d: %s\n", i, reg.error().str().c_str());
                _exit(2);
            }
            auto added = add(**reg, session.profile, "c" + std::to_string(i), i + 1);
            if (!added) fprintf(stderr, "child %d: %s\n", i, added.error().str().c_str());
            _exit(added ? 0 : 1);
        }
        children.push_back(pid);
    }
    close(gate[0]);
    close(gate[1]);  // all start together
    int failed = 0;
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    EXPECT_EQ(failed, 0);

    auto reg = open_registry(dir);
    auto all = reg->list();
    ASSERT_TRUE(all.ok()) << all.error().str();
    ASSERT_EQ(all->size(), static_cast<std::size_t>(kProcesses));
    std::set<IpAddress> v4, v6;
    for (const auto& p : *all) {
        ASSERT_TRUE(p.address && p.address6) << p.name;
        v4.insert(*p.address);
        v6.insert(*p.address6);
    }
    EXPECT_EQ(v4.size(), static_cast<std::size_t>(kProcesses));
    EXPECT_EQ(v6.size(), static_cast<std::size_t>(kProcesses));
    // .1 and .2 are the profile's peers: the adds took .3 to .52.
    EXPECT_EQ(*v4.begin(), ip("10.77.1.3"));
    EXPECT_EQ(*v4.rbegin(), ip("10.77.1.52"));
    EXPECT_EQ(query(dir, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(reg->audit()->size(), static_cast<std::size_t>(kProcesses));
}

}  // namespace
}  // namespace vpngw::registry::test
