#include "store/state_lock.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "support/temp_dir.hpp"

namespace vpngw::store {
namespace {

using namespace std::chrono_literals;

// A child process that takes the lock, reports through a pipe, then holds it
// for `hold` (forever when zero) or until killed.
struct Holder {
    pid_t pid = -1;

    static Holder start(const std::string& dir, std::chrono::milliseconds hold = {}) {
        int p[2];
        EXPECT_EQ(pipe(p), 0);
        Holder h;
        h.pid = fork();
        if (h.pid == 0) {
            close(p[0]);
            auto lock = StateLock::acquire(dir);
            char c = lock.ok() ? 'y' : 'n';
            (void)!write(p[1], &c, 1);
            if (!lock.ok()) _exit(2);
            if (hold.count() == 0)
                for (;;) pause();
            std::this_thread::sleep_for(hold);
            _exit(0);
        }
        close(p[1]);
        char c = 0;
        EXPECT_EQ(read(p[0], &c, 1), 1);
        EXPECT_EQ(c, 'y') << "the holder could not take the lock";
        close(p[0]);
        return h;
    }
    int kill_and_wait() {
        if (pid > 0) kill(pid, SIGKILL);
        return wait();
    }
    int wait() {
        int status = 0;
        if (pid > 0) waitpid(pid, &status, 0);
        pid = -1;
        return status;
    }
    ~Holder() {
        if (pid > 0) kill_and_wait();
    }
};

TEST(StateLock, CreatesPrivateDirectoryAndLockFile) {
    TempDir tmp;
    ScopedUmask um(0);
    auto lock = StateLock::acquire(tmp / "state");
    ASSERT_TRUE(lock.ok()) << lock.error().str();
    EXPECT_EQ(mode_of(tmp / "state"), 0700);
    EXPECT_EQ(mode_of(tmp / "state/lock"), 0600);
    EXPECT_EQ(lock->path(), tmp / "state/lock");
}

TEST(StateLock, SecondAcquireFailsUntilTheFirstIsReleased) {
    TempDir tmp;
    std::optional<Result<StateLock>> first(StateLock::acquire(tmp.path()));
    ASSERT_TRUE(first->ok());
    auto second = StateLock::acquire(tmp.path());
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().message.find("another vpngw is running (pid " +
                                          std::to_string(getpid()) + ")"),
              std::string::npos)
        << second.error().message;
    first.reset();
    EXPECT_TRUE(StateLock::acquire(tmp.path()).ok());
}

TEST(StateLock, HolderKilledWithSigkillReleasesTheLock) {
    TempDir tmp;
    Holder h = Holder::start(tmp.path());
    auto busy = StateLock::acquire(tmp.path());
    ASSERT_FALSE(busy.ok());
    EXPECT_NE(
        busy.error().message.find("another vpngw is running (pid " + std::to_string(h.pid) + ")"),
        std::string::npos)
        << busy.error().message;
    int status = h.kill_and_wait();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    auto after = StateLock::acquire(tmp.path());
    EXPECT_TRUE(after.ok()) << after.error().str();
}

TEST(StateLock, TimeoutWaitsForTheHolder) {
    TempDir tmp;
    Holder h = Holder::start(tmp.path(), 400ms);
    auto quick = StateLock::acquire(tmp.path(), 50ms);
    ASSERT_FALSE(quick.ok());
    EXPECT_NE(quick.error().message.find("waited 50 ms"), std::string::npos)
        << quick.error().message;
    const auto start = std::chrono::steady_clock::now();
    auto patient = StateLock::acquire(tmp.path(), 10s);
    EXPECT_TRUE(patient.ok()) << patient.error().str();
    EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
    EXPECT_TRUE(WIFEXITED(h.wait()));
}

TEST(StateLock, ExecutedChildrenDoNotInheritTheLock) {
    TempDir tmp;
    std::optional<Result<StateLock>> lock(StateLock::acquire(tmp.path()));
    ASSERT_TRUE(lock->ok());
    // The write end is close-on-exec too: EOF on the read end means the
    // child has exec'd, so its fork-time copy of the lock fd is gone if cloexec works.
    int execd[2];
    ASSERT_EQ(pipe2(execd, O_CLOEXEC), 0);
    pid_t child = fork();
    if (child == 0) {
        execlp("sleep", "sleep", "5", nullptr);
        _exit(127);
    }
    close(execd[1]);
    char c;
    ASSERT_EQ(read(execd[0], &c, 1), 0);
    close(execd[0]);
    lock.reset();
    auto again = StateLock::acquire(tmp.path());
    EXPECT_TRUE(again.ok()) << "an exec'd child kept the lock: " << again.error().str();
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
}

}  // namespace
}  // namespace vpngw::store
