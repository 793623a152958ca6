#include "dns/runtime.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "store/atomic_file.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::dns {

namespace {

Status make_dir(const std::string& dir) {
    // /run/vpngw, then /run/vpngw/dns-<gateway>: root's, readable by all.
    const auto parent = dir.substr(0, dir.rfind('/'));
    for (const auto& d : {parent, dir}) {
        if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            return Error{"creating " + d + ": " + std::strerror(errno)};
        struct stat st {};
        if (::lstat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
            (st.st_mode & 022) != 0)
            return Error{d + " must be a directory owned by root and writable by nobody else"};
    }
    return ok_status();
}

std::string read_small(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

Result<Hosts> write_hosts(const model::Profile& profile,
                          const std::vector<plan::PeerAddresses>& addresses) {
    const auto runtime = runtime_paths(profile);
    if (auto s = make_dir(runtime.dir); !s) return s.error();
    auto hosts = render_hosts(profile, addresses);
    if (auto s = store::atomic_write_file(runtime.hosts, hosts.text, 0644); !s) return s.error();
    return hosts;
}

Result<bool> edit_hosts(const std::string& path, const std::string& zone, const HostsEdit& edit) {
    if (!edit.remove.empty()) {
        auto text = store::read_file_if_exists(path);
        if (!text) return text.error();
        if (!*text) return false;
        const std::string kept = without_peer(**text, zone, edit.remove) + edit.add;
        if (auto s = store::atomic_write_file(path, kept, 0644); !s) return s.error();
        return true;
    }
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return false;
        return Error{"opening " + path + ": " + std::strerror(errno)};
    }
    if (edit.add.empty()) return true;
    const ssize_t n = ::write(fd.get(), edit.add.data(), edit.add.size());
    if (n != static_cast<ssize_t>(edit.add.size()))
        return Error{"appending to " + path + ": " +
                     (n < 0 ? std::strerror(errno) : std::string("short write"))};
    return true;
}

Result<Hosts> write_files(const model::Profile& profile,
                          const std::vector<plan::PeerAddresses>& addresses) {
    auto hosts = write_hosts(profile, addresses);
    if (!hosts) return hosts;
    const auto runtime = runtime_paths(profile);
    if (auto s = store::atomic_write_file(runtime.config, render_config(profile, runtime), 0644);
        !s)
        return s.error();
    return hosts;
}

Result<Reloaded> reload(const Runtime& runtime) {
    const auto text = read_small(runtime.pid);
    char* end = nullptr;
    const long pid = std::strtol(text.c_str(), &end, 10);
    if (pid <= 1 || end == text.c_str()) return Reloaded::not_running;
    // The pid file outlives its process; its number may belong to another now.
    auto comm = read_small("/proc/" + std::to_string(pid) + "/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm != "dnsmasq") return Reloaded::not_running;
    if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0)
        return Error{"signalling dnsmasq (pid " + std::to_string(pid) +
                     "): " + std::strerror(errno)};
    return Reloaded::yes;
}

}  // namespace vpngw::dns
