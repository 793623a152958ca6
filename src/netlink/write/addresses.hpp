#pragma once

// Interface addresses over rtnetlink, write side. Only exec/ includes this.

#include <cstdint>

#include "netlink/message.hpp"
#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// Adds the address; an existing identical one is an error (NLM_F_EXCL).
// IPv6 addresses get IFA_F_NODAD: vpngw only addresses its own links
// (WireGuard), where duplicate detection has no neighbours to ask and would
// only keep the address "tentative", unusable, for a second or two.
Status add_address(NetlinkSocket& sock, const state::Address& address);
Status delete_address(NetlinkSocket& sock, const state::Address& address);

// The RTM_NEWADDR/RTM_DELADDR message for an address on link `ifindex`.
nlmsghdr* build_address_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                                const Prefix& prefix, int ifindex);

}  // namespace vpngw::netlink
