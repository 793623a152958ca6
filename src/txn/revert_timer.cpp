#include "txn/revert_timer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "store/state_lock.hpp"
#include "txn/pending.hpp"

namespace vpngw::txn {

Result<pid_t> spawn_revert_timer(const std::string& state_dir, std::int64_t deadline,
                                 const std::string& id) {
    std::string deadline_text = std::to_string(deadline);
    std::string self = "vpngw";
    std::string command = kRevertTimerCommand;
    std::string dir = state_dir;
    std::string id_copy = id;
    char* const argv[] = {self.data(),          command.data(), dir.data(),
                          deadline_text.data(), id_copy.data(), nullptr};
    // The helper's pid travels back through a pipe from the intermediate child.
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return Error{std::string("cannot start the revert timer: ") + std::strerror(errno)};
    pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return Error{std::string("cannot start the revert timer: ") + std::strerror(errno)};
    }
    if (child == 0) {
        ::setsid();
        pid_t helper = ::fork();
        if (helper != 0) {
            [[maybe_unused]] ssize_t n = ::write(fds[1], &helper, sizeof helper);
            ::_exit(helper < 0 ? 1 : 0);
        }
        ::signal(SIGHUP, SIG_IGN);
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
        }
        ::close_range(3, ~0U, 0);
        if (::chdir("/") != 0) ::_exit(126);
        ::execv("/proc/self/exe", argv);
        ::_exit(127);
    }
    ::close(fds[1]);
    pid_t helper = -1;
    ssize_t n = ::read(fds[0], &helper, sizeof helper);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (n != sizeof helper || helper <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return Error{"cannot start the revert timer"};
    return helper;
}

Status run_revert_timer(const std::string& state_dir, std::int64_t deadline,
                        const std::string& id) {
    const store::StatePaths paths{state_dir};
    for (;;) {
        auto status = pending_status(state_dir);
        if (!status) return status.error();
        if (!*status || (*status)->apply.id != id) return ok_status();  // confirmed or reverted
        std::int64_t due = std::max(deadline, (*status)->apply.deadline);
        if (static_cast<std::int64_t>(std::time(nullptr)) >= due) break;
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    // A `vpngw confirm` racing with us holds the lock and removes the record
    // first; then revert_pending finds nothing with our id and does nothing.
    auto lock = store::StateLock::acquire(state_dir, std::chrono::minutes(10));
    if (!lock) {
        log_revert(paths, "revert timer: " + lock.error().message);
        return lock.error();
    }
    auto reverted = revert_pending(paths, exec::open_replay, id);
    if (!reverted) {
        log_revert(paths, "revert timer: revert failed: " + reverted.error().str());
        return reverted.error();
    }
    if (!*reverted) return ok_status();
    const auto& r = **reverted;
    std::string line = "revert timer: not confirmed in time; reverted " + r.apply.profile + " (" +
                       std::to_string(r.undone) + " operation(s) undone)";
    for (const auto& f : r.failures) line += "\n  could not undo: " + f;
    log_revert(paths, line);
    if (!r.failures.empty()) return Error{line};
    return ok_status();
}

}  // namespace vpngw::txn
