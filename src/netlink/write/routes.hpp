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
// add_route, except that an identical route of another owner already in its
// place (route_in_the_way: a wg-quick route to a peer's network) is taken
// over in place, its protocol set to kRouteProtocol without the route ever
// being absent; the result is the protocol it had, for hand_back_route.
// A conflicting route stays and is an error that names it.
Result<std::optional<std::uint8_t>> add_or_adopt_route(NetlinkSocket& sock,
                                                       const state::Route& route);
// Gives a route add_or_adopt_route took over back to its owner (`protocol`),
// in place: what undoing the adoption means.
Status hand_back_route(NetlinkSocket& sock, const state::Route& route, std::uint8_t protocol);
// Deletes the route of protocol kRouteProtocol matching table, destination,
// type, gateway, device and metric, so an equal route of another owner stays.
Status delete_route(NetlinkSocket& sock, const state::Route& route);

// The RTM_NEWROUTE/RTM_DELROUTE message for `route` with the device already
// resolved to `oif` (0: none), protocol kRouteProtocol.
nlmsghdr* build_route_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                              const state::Route& route, int oif);

}  // namespace vpngw::netlink
