#pragma once

// What a vpngw process tells systemd about itself (sd_notify(3)): STATUS=
// lines, READY=1, and watchdog keep-alives. Without $NOTIFY_SOCKET (not run
// by systemd, or the unit is not Type=notify and has no watchdog) every call
// does nothing, so callers never ask first.

#include <chrono>
#include <optional>
#include <string_view>

namespace vpngw::service_manager {

// STATUS=<line>: what `systemctl status` shows under the unit.
void status(std::string_view line);

// READY=1 with a last STATUS=, then waits (bounded) until systemd has read
// it: a short-lived process such as `vpngw up` exits right after, and a
// notification whose sender is gone could otherwise be lost.
void ready(std::string_view line);

// The keep-alive interval systemd expects of this process (half its
// WatchdogSec=), or nothing when no watchdog watches it.
std::optional<std::chrono::microseconds> watchdog_interval();

// WATCHDOG=1: this process's main loop is still turning.
void watchdog_ping();

// WATCHDOG_USEC=: lengthens the watchdog timeout at run time, for a main loop
// whose slowest turn (the profile's probe timeouts) is longer than the unit's
// WatchdogSec= allows. Does nothing when no watchdog is set or it is longer.
void watchdog_at_least(std::chrono::microseconds timeout);

}  // namespace vpngw::service_manager
