#pragma once

// Runs the built vpngw binary, as a user would. When the tests run as root
// the child gets a network namespace of its own first, so whatever it finds
// (or would change) is never the host's.

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/peer_session.hpp"

namespace vpngw::gateway::test {

struct Run {
    int status = -1;  // exit status, or -1 when it did not exit normally
    std::string out;
    std::string err;
};

// Starts vpngw ARGS... with stdout/stderr going to `out_file`/`err_file`.
inline pid_t start_vpngw(const std::vector<std::string>& args, const std::string& out_file,
                         const std::string& err_file) {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    if (::geteuid() == 0 && ::unshare(CLONE_NEWNET) != 0) ::_exit(120);
    int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(121);
    std::vector<char*> argv;
    std::string binary = VPNGW_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
}

inline int wait_status(pid_t pid) {
    int st = 0;
    if (::waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

inline Run run_vpngw(const TempDir& tmp, const std::vector<std::string>& args) {
    const std::string out = tmp / ".out", err = tmp / ".err";
    Run r;
    r.status = wait_status(start_vpngw(args, out, err));
    r.out = read_text(out);
    r.err = read_text(err);
    ::unlink(out.c_str());
    ::unlink(err.c_str());
    return r;
}

}  // namespace vpngw::gateway::test
