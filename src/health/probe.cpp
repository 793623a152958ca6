#include "health/probe.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <span>

#include "health/echo.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::health {

namespace {

using Clock = std::chrono::steady_clock;

Error sys_error(const std::string& what) {
    return Error{what + ": " + std::strerror(errno)};
}

// Identifies our echoes among every ICMP packet a raw socket sees.
std::uint16_t next_sequence() {
    static std::atomic<std::uint16_t> seq{static_cast<std::uint16_t>(::getpid())};
    return ++seq;
}

}  // namespace

Status probe_echo(const ProbeTarget& target, std::chrono::milliseconds timeout) {
    const bool v6 = !target.address.is_v4();
    UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC,
                         v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP}));
    if (!fd) return sys_error("opening a raw ICMP socket (needs CAP_NET_RAW)");
    if (target.fwmark != 0 &&
        ::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &target.fwmark, sizeof target.fwmark) != 0)
        return sys_error("setting SO_MARK (needs CAP_NET_ADMIN)");
    if (!target.device.empty() &&
        ::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, target.device.c_str(),
                     static_cast<socklen_t>(target.device.size())) != 0)
        return sys_error("binding to device " + target.device);

    sockaddr_storage to{};
    socklen_t to_len = 0;
    if (v6) {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&to);
        sa->sin6_family = AF_INET6;
        std::memcpy(&sa->sin6_addr, target.address.bytes.data(), 16);
        to_len = sizeof *sa;
    } else {
        auto* sa = reinterpret_cast<sockaddr_in*>(&to);
        sa->sin_family = AF_INET;
        std::memcpy(&sa->sin_addr, target.address.bytes.data(), 4);
        to_len = sizeof *sa;
    }
    const Echo echo = new_echo(static_cast<std::uint16_t>(::getpid() & 0xffff), next_sequence());
    const auto packet = echo_request(v6, echo);
    if (::sendto(fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 to_len) < 0)
        return sys_error("sending an echo request to " + target.address.str());

    const auto deadline = Clock::now() + timeout;
    std::array<std::uint8_t, 1500> buf;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd.get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return sys_error("waiting for the echo reply");
        if (ready == 0) break;
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = ::recvfrom(fd.get(), buf.data(), buf.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) return sys_error("receiving the echo reply");
        const bool from_target =
            v6 ? std::memcmp(&reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr,
                             target.address.bytes.data(), 16) == 0
               : std::memcmp(&reinterpret_cast<sockaddr_in*>(&from)->sin_addr,
                             target.address.bytes.data(), 4) == 0;
        if (from_target &&
            is_echo_reply(v6, std::span(buf.data(), static_cast<std::size_t>(n)), echo))
            return ok_status();
    }
    return Error{"no echo reply from " + target.address.str() + " within " +
                 std::to_string(timeout.count()) + " ms"};
}

}  // namespace vpngw::health
