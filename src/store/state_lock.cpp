#include "store/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "store/atomic_file.hpp"
#include "store/state_dir_check.hpp"
#include "store/state_paths.hpp"

namespace vpngw::store {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(20);

// The holder's pid as it wrote it, for the error message; "" when unknown
// (the holder may not have written it yet).
std::string holder_pid(int fd) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return "";
    std::string s(buf, static_cast<std::size_t>(n));
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char c : s)
        if (c < '0' || c > '9') return "";
    return s;
}

}  // namespace

Result<StateLock> StateLock::acquire(const std::string& state_dir,
                                     std::chrono::milliseconds timeout) {
    if (auto s = prepare_state_dir(state_dir); !s) return s.error();
    const std::string path = StatePaths{state_dir}.lock_file();
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return Error{"cannot open " + path + ": " + std::strerror(errno)};
    if (::fchmod(fd.get(), 0600) != 0)
        return Error{"cannot chmod " + path + ": " + std::strerror(errno)};

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) break;
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) return Error{"cannot lock " + path + ": " + std::strerror(errno)};
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string pid = holder_pid(fd.get());
            std::string msg = "another vpngw is running (pid " + (pid.empty() ? "unknown" : pid) +
                              "): it holds " + path;
            if (timeout.count() > 0) msg += " (waited " + std::to_string(timeout.count()) + " ms)";
            return Error{msg};
        }
        std::this_thread::sleep_for(kPollInterval);
    }

    // Ours now: record who holds it. Failing to write the pid only makes a
    // competitor's message less precise, so it is not an error.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd.get(), 0) == 0) {
        [[maybe_unused]] ssize_t n = ::pwrite(fd.get(), pid.data(), pid.size(), 0);
    }
    return StateLock(std::move(fd), path);
}

}  // namespace vpngw::store
