#pragma once

// Network interfaces over rtnetlink, write side: create, change, delete.
// Only exec/ includes this (tests/architecture/kernel_writers.sh).

#include <string>

#include "netlink/links.hpp"
#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// Creates link.name of link.kind with link.mtu (0: the kind's default), sets
// the alias (which marks the link as vpngw's; "" for none) and brings it up
// when link.up. A kernel without the kind's driver answers EOPNOTSUPP; for
// "wireguard" that becomes "kernel has no WireGuard support", the cue for the
// userspace backend.
Status create_link(NetlinkSocket& sock, const state::Link& link,
                   const std::string& alias = state::kLinkAlias);
Status set_link_mtu(NetlinkSocket& sock, const std::string& name, int mtu,
                    const Location& origin = {});
Status set_link_up(NetlinkSocket& sock, const std::string& name, bool up,
                   const Location& origin = {});
// "" removes the alias.
Status set_link_alias(NetlinkSocket& sock, const std::string& name, const std::string& alias,
                      const Location& origin = {});
Status delete_link(NetlinkSocket& sock, const std::string& name, const Location& origin = {});

}  // namespace vpngw::netlink
