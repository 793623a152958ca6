#include "netlink/sysctl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "util/unique_fd.hpp"

namespace vpngw::netlink {

Error sysctl_error(std::string_view verb, std::string_view key, int e) {
    return Error{std::string(verb) + " sysctl " + std::string(key) + ": " + std::strerror(e)};
}

Result<std::string> sysctl_path(std::string_view key) {
    if (key.empty()) return Error{"empty sysctl key"};
    const char sep = key.find('/') != std::string_view::npos ? '/' : '.';
    std::string path = "/proc/sys";
    std::size_t start = 0;
    while (start <= key.size()) {
        std::size_t end = key.find(sep, start);
        if (end == std::string_view::npos) end = key.size();
        std::string_view part = key.substr(start, end - start);
        if (part.empty() || part == "." || part == "..")
            return Error{"invalid sysctl key \"" + std::string(key) + "\""};
        path += '/';
        path += part;
        start = end + 1;
    }
    return path;
}

Result<std::string> read_sysctl(std::string_view key) {
    auto path = sysctl_path(key);
    if (!path) return path.error();
    UniqueFd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return sysctl_error("reading", key, errno);
    std::string value;
    char chunk[512];
    for (;;) {
        ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sysctl_error("reading", key, errno);
        }
        if (n == 0) break;
        value.append(chunk, static_cast<std::size_t>(n));
    }
    while (!value.empty() && value.back() == '\n') value.pop_back();
    return value;
}

}  // namespace vpngw::netlink
