#include "support/netns_sandbox.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vpngw::test {

std::string enter_sandbox() {
    static std::string result = []() -> std::string {
        if (geteuid() != 0) return "netns tests need root (run them as root, e.g. with sudo)";
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
            return std::string("unshare(CLONE_NEWNET|CLONE_NEWNS): ") + std::strerror(errno);
        if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            return std::string("making mounts private: ") + std::strerror(errno);
        ::mkdir("/run/wireguard", 0755);
        if (mount("tmpfs", "/run/wireguard", "tmpfs", 0, "mode=0755") != 0)
            return std::string("mounting tmpfs on /run/wireguard: ") + std::strerror(errno);
        // `ip netns add` needs its own /run/netns mount; keep it private to us too.
        ::mkdir("/run/netns", 0755);
        if (mount("tmpfs", "/run/netns", "tmpfs", 0, "mode=0755") != 0)
            return std::string("mounting tmpfs on /run/netns: ") + std::strerror(errno);
        Cmd lo = sh("ip link set lo up");
        if (lo.status != 0) return "ip link set lo up: " + lo.out;
        return "";
    }();
    return result;
}

Cmd sh(const std::string& command) {
    Cmd r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace vpngw::test
