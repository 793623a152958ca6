#pragma once

// One health probe: an ICMP echo to `target` that leaves through a given
// uplink, whatever the main routing table says. The socket carries the
// uplink's fwmark (so vpngw's fwmark rule picks the uplink's table) and is
// bound to its device; a reply within the timeout is success when it carries
// our id, sequence and random cookie (health/echo.hpp). Raw ICMP
// sockets need CAP_NET_RAW, SO_MARK needs CAP_NET_ADMIN; no external tool.

#include <chrono>
#include <cstdint>
#include <string>

#include "util/ip.hpp"
#include "util/result.hpp"

namespace vpngw::health {

struct ProbeTarget {
    IpAddress address;
    std::uint32_t fwmark = 0;  // 0 = none
    std::string device;        // empty = not bound
};

// Success, or why not ("no reply from 192.0.2.1 within 1000 ms", a socket error).
Status probe_echo(const ProbeTarget& target, std::chrono::milliseconds timeout);

}  // namespace vpngw::health
