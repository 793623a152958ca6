#pragma once

// Routes of every table, IPv4 and IPv6, over rtnetlink, read side (adding
// and deleting: netlink/write/routes.hpp, exec/ only).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlink/socket.hpp"
#include "state/describe.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// A route as the kernel reports it, with the protocol that marks its owner.
struct RouteEntry {
    state::Route route;         // origin is empty; dev is "" for blackhole/unreachable
    std::uint8_t protocol = 0;  // rtm_protocol: kRouteProtocol for vpngw's routes
};

// The unicast, blackhole and unreachable routes of all tables (ids above 255
// included), and local routes outside the kernel's local table (255), both
// families; with `protocol`, only routes of that protocol.
// Other types (broadcast, multicast, prohibit, throw) and cached clones
// are not in state::Route's vocabulary and are left out. A multipath route is
// listed without gateway and device.
Result<std::vector<RouteEntry>> dump_routes(NetlinkSocket& sock,
                                            std::optional<std::uint8_t> protocol);

using state::describe_route;

}  // namespace vpngw::netlink
