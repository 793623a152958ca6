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

// What stands where vpngw is about to add `want` (the kernel refused it with
// EEXIST). The kernel keys a route by table, destination and metric (IPv4
// also TOS, which vpngw never sets; IPv6 stores metric 0 as 1024). The route
// under that key is
// - identical when it also has `want`'s type, device and gateway: only its
//   protocol, its owner, differs (wg-quick's `ip route add <net> dev wg0`
//   leaves "boot"), so vpngw may take it over in place and no packet notices;
// - a conflict otherwise (another device, gateway or type), which vpngw
//   refuses to replace.
// Scope is not compared: vpngw's is the one the kernel would pick for the
// same `ip route add` (link without a gateway, else universe).
struct RouteInTheWay {
    enum class Kind { none, identical, conflict };
    Kind kind = Kind::none;
    RouteEntry entry;  // the route found (kind != none)
};
RouteInTheWay route_in_the_way(const state::Route& want, const std::vector<RouteEntry>& existing);

// "192.168.50.0/24 dev wg0 proto boot": a route with its owner, for messages.
std::string describe_route_entry(const RouteEntry& entry);

using state::describe_route;

}  // namespace vpngw::netlink
