#include "netlink/write/sysctl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "netlink/sysctl.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::netlink {

Status write_sysctl(std::string_view key, std::string_view value) {
    auto path = sysctl_path(key);
    if (!path) return path.error();
    const std::string what = "writing \"" + std::string(value) + "\" to";
    UniqueFd fd(::open(path->c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0) return sysctl_error(what, key, errno);
    // One write: /proc/sys parses what a single write hands it.
    std::string line(value);
    line += '\n';
    ssize_t n;
    do {
        n = ::write(fd.get(), line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return sysctl_error(what, key, errno);
    if (static_cast<std::size_t>(n) != line.size()) return sysctl_error(what, key, EIO);
    // Some handlers report errors only at close.
    if (fd.close_now() < 0) return sysctl_error(what, key, errno);
    return ok_status();
}

}  // namespace vpngw::netlink
