#include "service_manager/notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace vpngw::service_manager {

namespace {

// How long ready() waits for systemd to have read READY=1.
constexpr std::uint64_t kBarrierTimeoutUsec = 5'000'000;

void send(const std::string& state) {
    // unset_environment = 0: child processes (wireguard-go) never notify, and
    // a second call (ready() after status()) still needs $NOTIFY_SOCKET.
    (void)sd_notify(0, state.c_str());
}

}  // namespace

void status(std::string_view line) {
    send("STATUS=" + std::string(line));
}

void ready(std::string_view line) {
    send("READY=1\nSTATUS=" + std::string(line));
    (void)sd_notify_barrier(0, kBarrierTimeoutUsec);
}

std::optional<std::chrono::microseconds> watchdog_interval() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

void watchdog_ping() {
    send("WATCHDOG=1");
}

void watchdog_at_least(std::chrono::microseconds timeout) {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0) return;
    if (usec >= static_cast<std::uint64_t>(timeout.count())) return;
    send("WATCHDOG_USEC=" + std::to_string(timeout.count()));
}

}  // namespace vpngw::service_manager
