#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "support.hpp"

namespace vpngw::registry::test {
namespace {

// The changes a child makes in a round, in order: add n0, n1, n2, remove n1,
// add n3, n4, n5, remove n4, ...
struct Op {
    bool add;
    std::string name;
    int seed;
};
Op op(int round, int k) {
    const int group = k / 4, step = k % 4;
    const auto name = [&](int i) { return "r" + std::to_string(round) + "n" + std::to_string(i); };
    if (step < 3) {
        const int i = 3 * group + step;
        return Op{true, name(i), round * 1000 + i};
    }
    return Op{false, name(3 * group + 1), 0};
}

// Makes the round's changes until killed, writing one byte to `ack` after
// each change returned.
[[noreturn]] void change_until_killed(const std::string& dir, const model::Profile& profile,
                                      int round, int ack) {
    auto reg = open_sqlite_registry(dir, kActor);
    if (!reg) _exit(2);
    const Allocator allocate = profile_allocator(profile, "staff");
    for (int k = 0;; ++k) {
        const Op o = op(round, k);
        const bool done = o.add ? (*reg)->add(record(o.name, o.seed), &allocate, kActor).ok()
                                : (*reg)->remove(o.name, kActor).ok();
        if (!done) _exit(3);
        if (write(ack, "+", 1) != 1) _exit(4);
    }
}

// Counts acknowledgements until `want` came (-1: until the pipe ends); false
// when none came for 10 s.
bool count_acks(int fd, int& acked, int want) {
    while (want < 0 || acked < want) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 10'000) <= 0) return false;
        char buf[256];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return want < 0;  // the pipe ended: everything is counted
        acked += static_cast<int>(n);
    }
    return true;
}

// SIGKILL at arbitrary points of adds and removes in another process: the
// database stays intact and holds every acknowledged change; only the change
// in flight when the kill came may be there or not.
TEST(RegistryCrash, SigkillLosesNoAcknowledgedChangeAndLeavesTheDatabaseIntact) {
    TempDir tmp;
    auto session = open_session(tmp / "session");
    const std::string dir = tmp / "state";
    std::map<std::string, bool> expect;  // name -> present
    std::set<std::string> in_flight;
    for (int round = 0; round < 6; ++round) {
        int ack[2];
        ASSERT_EQ(pipe(ack), 0);
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(ack[0]);
            change_until_killed(dir, session.profile, round, ack[1]);
        }
        close(ack[1]);
        int acked = 0;
        // Killed after a different number of changes each round, so the kill
        // lands in another phase of an add or a remove.
        ASSERT_TRUE(count_acks(ack[0], acked, 3 + 5 * round)) << "round " << round;
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own: " << status;
        ASSERT_TRUE(count_acks(ack[0], acked, -1));  // acknowledged before it died
        close(ack[0]);
        for (int k = 0; k < acked; ++k) expect[op(round, k).name] = op(round, k).add;
        in_flight.insert(op(round, acked).name);
    }
    EXPECT_EQ(query(dir, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(query(dir, "PRAGMA foreign_key_check"), "<no row>");
    auto reg = open_registry(dir);
    std::set<IpAddress> addresses;
    for (const auto& [name, present] : expect) {
        auto found = reg->find(name);
        ASSERT_TRUE(found.ok()) << found.error().str();
        if (!in_flight.contains(name)) {
            EXPECT_EQ(found->has_value(), present) << name;
        }
        if (*found) {
            EXPECT_TRUE(addresses.insert(*(*found)->address).second) << name;
        }
    }
    EXPECT_GT(expect.size(), 40u);
}

}  // namespace
}  // namespace vpngw::registry::test
