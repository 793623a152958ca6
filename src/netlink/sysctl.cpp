#include "netlink/sysctl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vpngw::netlink {

namespace {

// Closes the descriptor on every path out.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

Error sysctl_error(std::string_view verb, std::string_view key, int e) {
    return Error{std::string(verb) + " sysctl " + std::string(key) + ": " + std::strerror(e)};
}

}  // namespace

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
    Fd fd(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
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

Status write_sysctl(std::string_view key, std::string_view value) {
    auto path = sysctl_path(key);
    if (!path) return path.error();
    const std::string what = "writing \"" + std::string(value) + "\" to";
    Fd fd(::open(path->c_str(), O_WRONLY | O_CLOEXEC));
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
    if (::close(fd.release()) < 0) return sysctl_error(what, key, errno);
    return ok_status();
}

}  // namespace vpngw::netlink
