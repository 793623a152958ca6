#include "image/run_build.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace vpngw::image {

Status run_build_script(const std::string& script) {
    std::string bash = "bash";
    char* argv[] = {bash.data(), const_cast<char*>(script.c_str()), nullptr};
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, "bash", nullptr, nullptr, argv, environ);
    if (rc != 0) return Error{"cannot run bash " + script + ": " + std::strerror(rc), {}};
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return Error{"waiting for " + script + ": " + std::strerror(errno), {}};
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok_status();
    if (WIFEXITED(status))
        return Error{script + " failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")",
                     {}};
    return Error{script + " was killed by signal " + std::to_string(WTERMSIG(status)), {}};
}

}  // namespace vpngw::image
