#pragma once

// Interface addresses (IPv4 and IPv6) over rtnetlink.

#include <optional>
#include <string>
#include <vector>

#include "netlink/message.hpp"
#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// Every address of link `ifname`, or of all links when it is nullopt, as
// "10.8.0.1/16" (the local address with its prefix length).
Result<std::vector<state::Address>> dump_addresses(NetlinkSocket& sock,
                                                   const std::optional<std::string>& ifname = {});

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
