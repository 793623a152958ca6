// Crash safety of the peer commands (issue 17, issue 18 item 6): 200 mixed
// `peer add / edit / disable / enable / remove` processes, about half of
// them killed with SIGKILL at a random moment. Afterwards the registry passes
// `PRAGMA integrity_check`, every change a command acknowledged (exit 0) is
// there, no change is left unsettled once a later command ran, and no peer
// is left without its client config (an add killed before writing it is
// undone by the next command). No kernel here (the fixture's interface is
// not up): the netns test peer_lifecycle covers the kernel half.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <set>

#include "registry/sqlite_db.hpp"
#include "registry/sqlite_registry.hpp"
#include "support/peer_session.hpp"
#include "support/run_vpngw.hpp"

namespace vpngw {
namespace {

using namespace gateway::test;

std::vector<std::string> peer_args(const TempDir& state, std::vector<std::string> args) {
    args.insert(args.begin(), "peer");
    for (std::string a : {"--profile", kFixture.c_str(), "--state-dir"}) args.push_back(a);
    args.push_back(state.path());
    return args;
}

std::string query(const std::string& dir, const char* sql) {
    auto db = registry::sqlite::Db::open(dir + "/peers.db", registry::sqlite::Db::Access::read);
    if (!db) return "open: " + db.error().message;
    auto stmt = registry::sqlite::Stmt::prepare(*db, sql);
    if (!stmt) return "prepare: " + stmt.error().message;
    auto row = stmt->step();
    if (!row || !*row) return "no row";
    return stmt->text(0);
}

struct Expected {
    std::string group;
    bool disabled = false;
};

TEST(PeerCrash, KilledCommandsLeaveAConsistentRegistryWithEveryAcknowledgedChange) {
    TempDir tmp;
    std::mt19937 rng(17);
    std::map<std::string, Expected> expect;  // acknowledged peers
    std::set<std::string> gone;              // acknowledged removals
    std::set<std::string> uncertain;         // touched by a killed command
    int killed = 0, next = 0;
    // How long a command that ran to its end took (a moving average, µs):
    // kills land at a random point within that, however fast the machine is.
    double typical_us = 20000;
    for (int round = 0; round < 200; ++round) {
        std::vector<std::string> names;
        for (const auto& [n, e] : expect) names.push_back(n);
        const int kind = names.empty() ? 0 : static_cast<int>(rng() % 5);
        std::string name = kind == 0 ? "k" + std::to_string(next++) : names[rng() % names.size()];
        std::vector<std::string> args;
        std::string group = rng() % 2 ? "staff" : "tiny";
        switch (kind) {
            case 0:
                args = {"add", name, "--group", "staff", "--qr", "none"};
                break;
            case 1:
                args = {"edit", name, "--group", group, "--qr", "none"};
                break;
            case 2:
                args = {"disable", name};
                break;
            case 3:
                args = {"enable", name};
                break;
            default:
                args = {"remove", name};
                break;
        }
        const auto started = std::chrono::steady_clock::now();
        const pid_t pid = start_vpngw(peer_args(tmp, args), tmp / ".crash.out", tmp / ".crash.err");
        ASSERT_GT(pid, 0);
        const bool kill_it = rng() % 2 == 0;
        if (kill_it) {
            // A random point of the command's run.
            ::usleep(static_cast<useconds_t>(rng() % std::max<std::uint64_t>(1000, typical_us)));
            ::kill(pid, SIGKILL);
        }
        const int status = wait_status(pid);
        if (!kill_it)
            typical_us = 0.8 * typical_us + 0.2 * std::chrono::duration<double, std::micro>(
                                                      std::chrono::steady_clock::now() - started)
                                                      .count();
        if (status != 0) {
            // Killed, or refused (the tiny group is full, enable of an
            // enabled peer...): only a kill may have left a change behind.
            if (kill_it && status == -1) {
                ++killed;
                uncertain.insert(name);
                expect.erase(name);
            }
            continue;
        }
        uncertain.erase(name);
        switch (kind) {
            case 0:
                expect[name] = {"staff", false};
                gone.erase(name);
                break;
            case 1:
                expect[name].group = group;
                break;
            case 2:
                expect[name].disabled = true;
                break;
            case 3:
                expect[name].disabled = false;
                break;
            default:
                expect.erase(name);
                gone.insert(name);
                break;
        }
    }
    // One command that is not killed: it settles what the last kill left.
    auto last =
        run_vpngw(tmp, peer_args(tmp, {"add", "final", "--group", "staff", "--qr", "none"}));
    ASSERT_EQ(last.status, 0) << last.err;
    expect["final"] = {"staff", false};
    EXPECT_GT(killed, 20) << "too few commands were killed to test anything";

    EXPECT_EQ(query(tmp.path(), "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(query(tmp.path(), "SELECT count(*) FROM pending"), "0");
    std::map<std::string, registry::PeerRecord> stored;
    for (auto& p : gateway::test::stored_peers(tmp.path())) stored.emplace(p.name, p);
    for (const auto& [name, e] : expect) {
        auto it = stored.find(name);
        ASSERT_NE(it, stored.end()) << "acknowledged peer " << name << " is missing";
        EXPECT_EQ(it->second.group, e.group) << name;
        EXPECT_EQ(it->second.disabled, e.disabled) << name;
    }
    for (const auto& name : gone) {
        if (!uncertain.contains(name)) {
            EXPECT_FALSE(stored.contains(name)) << name << " came back";
        }
    }
    for (const auto& [name, p] : stored)
        EXPECT_TRUE(gateway::test::exists(tmp / ("clients/" + name + ".conf")))
            << name << " has no client config";
}

}  // namespace
}  // namespace vpngw
