#pragma once

// Interface addresses (IPv4 and IPv6) over rtnetlink, read side (adding and
// deleting: netlink/write/addresses.hpp, exec/ only).

#include <optional>
#include <string>
#include <vector>

#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// Every address of link `ifname`, or of all links when it is nullopt, as
// "10.8.0.1/16" (the local address with its prefix length).
Result<std::vector<state::Address>> dump_addresses(NetlinkSocket& sock,
                                                   const std::optional<std::string>& ifname = {});

}  // namespace vpngw::netlink
