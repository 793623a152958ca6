#pragma once

// Routes of every table, IPv4 and IPv6, over rtnetlink.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlink/message.hpp"
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

// Adds the route with protocol kRouteProtocol; an existing one with the same
// key is an error (NLM_F_EXCL) rather than silently replaced.
Status add_route(NetlinkSocket& sock, const state::Route& route);
// Deletes the route of protocol kRouteProtocol matching table, destination,
// type, gateway, device and metric, so an equal route of another owner stays.
Status delete_route(NetlinkSocket& sock, const state::Route& route);

using state::describe_route;

// The RTM_NEWROUTE/RTM_DELROUTE message for `route` with the device already
// resolved to `oif` (0: none), protocol kRouteProtocol.
nlmsghdr* build_route_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                              const state::Route& route, int oif);

}  // namespace vpngw::netlink
