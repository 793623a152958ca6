#pragma once

#include <chrono>
#include <string>

#include "util/unique_fd.hpp"
#include "util/result.hpp"

namespace vpngw::store {

// An exclusive flock(2) on <state_dir>/lock, held for the lifetime of the
// object, so two vpngw runs never change the kernel or the state files at
// once. The kernel drops a flock when its last holder exits, however it
// exits, so a crashed run never blocks later ones and no stale-lock cleanup
// exists. The lock file is never deleted (deleting lock files races).
// The descriptor is close-on-exec: helpers vpngw runs do not inherit the
// lock; a fork() without exec would share it until the child exits.
class StateLock {
  public:
    // Creates the state directory (0700) when missing. With a zero timeout it
    // fails at once when another process holds the lock; otherwise it polls
    // until the timeout. The error says "another vpngw is running (pid N)".
    static Result<StateLock> acquire(const std::string& state_dir,
                                     std::chrono::milliseconds timeout = {});

    // Closing the descriptor (destruction) releases the lock.
    StateLock(StateLock&&) noexcept = default;
    StateLock& operator=(StateLock&&) noexcept = default;

    const std::string& path() const { return path_; }

  private:
    StateLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
    UniqueFd fd_;
    std::string path_;
};

}  // namespace vpngw::store
