#pragma once

// vpngw's routes over rtnetlink, write side. Only exec/ includes this.

#include <cstdint>

#include "netlink/message.hpp"
#include "netlink/routes.hpp"
#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// Adds the route with protocol kRouteProtocol; an existing one with the same
// key is an error (NLM_F_EXCL) rather than silently replaced.
Status add_route(NetlinkSocket& sock, const state::Route& route);
// Deletes the route of protocol kRouteProtocol matching table, destination,
// type, gateway, device and metric, so an equal route of another owner stays.
Status delete_route(NetlinkSocket& sock, const state::Route& route);

// The RTM_NEWROUTE/RTM_DELROUTE message for `route` with the device already
// resolved to `oif` (0: none), protocol kRouteProtocol.
nlmsghdr* build_route_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                              const state::Route& route, int oif);

}  // namespace vpngw::netlink
