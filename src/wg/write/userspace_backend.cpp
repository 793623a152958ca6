#include "wg/write/userspace_backend.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>
#include <vector>

#include "wg/uapi.hpp"
#include "wg/write/rtnl_link.hpp"

extern char** environ;

namespace vpngw::wg {

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(int e) {
    return std::strerror(e);
}

// The environment for wireguard-go minus what would change how it starts:
// WG_PROCESS_FOREGROUND makes it stay attached (and wait for us forever),
// LOG_LEVEL makes the daemon keep our output pipe open.
std::vector<std::string> daemon_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view v(*e);
        if (v.starts_with("WG_PROCESS_FOREGROUND=") || v.starts_with("LOG_LEVEL=") ||
            v.starts_with("WG_TUN_FD=") || v.starts_with("WG_UAPI_FD="))
            continue;
        env.emplace_back(v);
    }
    return env;
}

// Reads what the starter process prints until it closes the pipe or the deadline passes.
std::string drain(int fd, Clock::time_point deadline) {
    std::string out;
    std::array<char, 4096> buf;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (out.size() < 16384) out.append(buf.data(), static_cast<std::size_t>(n));
    }
    return out;
}

// Waits for a child we spawned; kills it if it outlives the deadline.
int reap(pid_t pid, Clock::time_point deadline) {
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return -1;
        if (Clock::now() >= deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

// A process counts as gone once it has exited, even if nobody has reaped it
// yet (the daemon's parent is init, or nothing, in a test container).
bool process_alive(pid_t pid) {
    if (::kill(pid, 0) != 0) return errno != ESRCH;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close = line.rfind(')');
    return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

std::optional<ino_t> netns_inode(const std::string& proc_dir) {
    struct stat st {};
    if (::stat((proc_dir + "/ns/net").c_str(), &st) != 0) return std::nullopt;
    return st.st_ino;
}

// The live process in this network namespace whose command line is
// `<binary> IFNAME` (interface names are unique per namespace).
std::optional<pid_t> find_daemon_by_cmdline(const std::string& binary, const std::string& ifname) {
    auto ours = netns_inode("/proc/self");
    if (!ours) return std::nullopt;
    std::string base = binary.substr(binary.rfind('/') + 1);
    DIR* dir = ::opendir("/proc");
    if (!dir) return std::nullopt;
    std::optional<pid_t> found;
    while (dirent* e = ::readdir(dir)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0') continue;
        std::string pdir = std::string("/proc/") + e->d_name;
        std::ifstream f(pdir + "/cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        std::vector<std::string> argv;
        for (std::size_t pos = 0; pos < cmdline.size();) {
            auto nul = cmdline.find('\0', pos);
            if (nul == std::string::npos) nul = cmdline.size();
            argv.push_back(cmdline.substr(pos, nul - pos));
            pos = nul + 1;
        }
        if (argv.size() < 2 || argv.back() != ifname) continue;
        if (argv[0].substr(argv[0].rfind('/') + 1) != base) continue;
        if (netns_inode(pdir) != ours || !process_alive(static_cast<pid_t>(pid))) continue;
        found = static_cast<pid_t>(pid);
        break;
    }
    ::closedir(dir);
    return found;
}

bool wait_gone(pid_t pid, Clock::time_point deadline) {
    while (process_alive(pid)) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

Status send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error{errno_text(errno)};
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
}

// Reads lines until the blank line that ends a UAPI response, handing each to
// `on_line`. The buffers are wiped: a get response carries the private key.
template <class OnLine>
Status read_response(int fd, OnLine on_line) {
    std::array<char, 65536> buf;
    std::string carry;
    Status result = ok_status();
    bool finished = false;
    while (!finished && result) {
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            result = Error{errno == EAGAIN ? std::string("timed out waiting for wireguard-go")
                                           : errno_text(errno)};
            break;
        }
        if (n == 0) {
            result = Error{"wireguard-go closed the connection before answering"};
            break;
        }
        std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
        while (!chunk.empty() && !finished && result) {
            auto nl = chunk.find('\n');
            if (nl == std::string_view::npos) {
                carry.append(chunk);
                break;
            }
            std::string_view line = chunk.substr(0, nl);
            if (!carry.empty()) {
                carry.append(line);
                line = carry;
            }
            result = on_line(line);
            finished = line.empty();
            if (!carry.empty()) wipe(carry);
            chunk.remove_prefix(nl + 1);
        }
    }
    sodium_memzero(buf.data(), buf.size());
    wipe(carry);
    return result;
}

}  // namespace

UserspaceBackend::UserspaceBackend(UserspaceOptions options) : opt_(std::move(options)) {}

std::string UserspaceBackend::socket_path(const std::string& ifname) const {
    return opt_.socket_dir + "/" + ifname + ".sock";
}

Result<UniqueFd> UserspaceBackend::connect(const std::string& ifname) {
    if (auto s = check_ifname(ifname); !s) return s.error();
    std::string path = socket_path(ifname);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return Error{"socket path too long: " + path};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return Error{"cannot create a unix socket: " + errno_text(errno)};
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return Error{"cannot connect to " + path + ": " + errno_text(errno)};
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(opt_.io_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((opt_.io_timeout.count() % 1000) * 1000);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

bool UserspaceBackend::exists(const std::string& ifname) {
    return connect(ifname).ok();
}

Result<pid_t> UserspaceBackend::daemon_pid(const std::string& ifname) {
    auto fd = connect(ifname);
    if (!fd) return fd.error();
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd->get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return Error{"cannot identify the wireguard-go process of " + ifname + ": " +
                     errno_text(errno)};
    // SO_PEERCRED names whoever called listen(): with `wireguard-go -f` that is
    // the daemon, but a daemonising wireguard-go listens before it forks, so
    // the credentials name the starter, which has already exited.
    if (process_alive(cred.pid)) return cred.pid;
    if (auto pid = find_daemon_by_cmdline(opt_.binary, ifname)) return *pid;
    return Error{"cannot find the wireguard-go process serving " + ifname};
}

Status UserspaceBackend::create(const std::string& ifname) {
    if (auto s = check_ifname(ifname); !s) return s;
    if (exists(ifname) || link_exists(ifname))
        return Error{"cannot create userspace WireGuard interface " + ifname +
                     ": an interface of that name already exists"};
    ::mkdir(opt_.socket_dir.c_str(), 0755);  // wireguard-go creates it too; harmless if present

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return Error{"cannot create a pipe: " + errno_text(errno)};
    UniqueFd read_end(pipefd[0]), write_end(pipefd[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);

    std::vector<std::string> env = daemon_environment();
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string bin = opt_.binary;
    std::string name = ifname;
    std::array<char*, 3> argv{bin.data(), name.data(), nullptr};

    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, bin.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    if (rc != 0) return Error{"cannot start " + opt_.binary + ": " + errno_text(rc)};

    // wireguard-go opens the TUN device and the UAPI socket, hands both to a
    // detached copy of itself and exits: its exit status tells whether that worked.
    auto deadline = Clock::now() + opt_.start_timeout;
    std::string output = drain(read_end.get(), deadline);
    int status = reap(pid, deadline);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
            output.pop_back();
        std::string why = status == -1
                              ? "did not finish starting within the timeout"
                              : "failed (exit status " +
                                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status)
                                                                     : 128 + WTERMSIG(status)) +
                                    ")";
        return Error{"starting " + opt_.binary + " " + ifname + " " + why +
                     (output.empty() ? "" : ": " + output)};
    }
    for (;;) {
        if (exists(ifname)) return ok_status();
        if (Clock::now() >= deadline)
            return Error{"wireguard-go started for " + ifname + " but " + socket_path(ifname) +
                         " did not accept connections within " +
                         std::to_string(opt_.start_timeout.count()) + " ms"};
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

Status UserspaceBackend::destroy(const std::string& ifname) {
    auto pid = daemon_pid(ifname);
    if (!pid) {
        if (!link_exists(ifname))
            return Error{"cannot destroy " + ifname + ": no such WireGuard interface"};
        // A TUN device without a daemon: deleting the link is all there is.
        return rtnl_delete_link(ifname);
    }
    auto deadline = Clock::now() + opt_.stop_timeout;
    Status deleted = link_exists(ifname) ? rtnl_delete_link(ifname) : ok_status();
    // The daemon notices its TUN device went away and exits; if it does not
    // (or the link could not be deleted), ask it directly: it is ours.
    if (!deleted || !wait_gone(*pid, deadline)) {
        ::kill(*pid, SIGTERM);
        if (!wait_gone(*pid, Clock::now() + opt_.stop_timeout))
            return Error{"wireguard-go (pid " + std::to_string(*pid) + ") for " + ifname +
                         " did not exit"};
    }
    return ok_status();
}

Result<ObservedDevice> UserspaceBackend::get(const std::string& ifname) {
    auto fd = connect(ifname);
    if (!fd) return fd.error();
    if (auto s = send_all(fd->get(), uapi::kGetRequest); !s)
        return Error{"reading WireGuard interface " + ifname + ": " + s.error().message};
    uapi::GetParser parser;
    auto read =
        read_response(fd->get(), [&](std::string_view line) { return parser.feed_line(line); });
    if (!read) return Error{"reading WireGuard interface " + ifname + ": " + read.error().message};
    auto dev = parser.finish();
    if (!dev) return Error{"reading WireGuard interface " + ifname + ": " + dev.error().message};
    dev->ifname = ifname;
    return dev;
}

Status UserspaceBackend::set(const std::string& ifname, const DeviceConfig& cfg) {
    auto fd = connect(ifname);
    if (!fd) return fd.error();
    bool wrote = false;
    Status sent = uapi::write_set_request(cfg, [&](std::string_view chunk) {
        wrote = true;
        return send_all(fd->get(), chunk);
    });
    // Refused before a byte went out (an endpoint that is not an address): the
    // daemon is still waiting for a request, so there is no answer to read.
    if (!sent && !wrote)
        return Error{"configuring WireGuard interface " + ifname + ": " + sent.error().message};
    // The daemon stops reading at the first bad line, answers and closes: its
    // answer explains a failed send better than EPIPE would.
    std::string answer;
    auto read = read_response(fd->get(), [&](std::string_view line) {
        answer.append(line);
        answer.push_back('\n');
        return ok_status();
    });
    if (!read) {
        std::string why = sent ? read.error().message : sent.error().message;
        return Error{"configuring WireGuard interface " + ifname + ": " + why};
    }
    auto err = uapi::parse_errno_response(answer);
    if (!err)
        return Error{"configuring WireGuard interface " + ifname + ": " + err.error().message};
    if (*err != 0)
        return Error{"wireguard-go rejected the configuration of " + ifname + ": " +
                     errno_text(std::abs(*err))};  // wireguard-go sends -EINVAL etc.
    if (!sent)
        return Error{"configuring WireGuard interface " + ifname + ": " + sent.error().message};
    return ok_status();
}

}  // namespace vpngw::wg
