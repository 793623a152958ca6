#pragma once

// Network interfaces over rtnetlink: observe, create, change, delete.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// A link as the kernel reports it.
struct LinkInfo {
    // kind is "" for links without IFLA_INFO_KIND (lo, physical NICs, tun);
    // up is the administrative IFF_UP flag, not the carrier.
    state::Link link;
    int ifindex = 0;
    std::string alias;  // IFLA_IFALIAS; "vpngw" on links vpngw created
};

// Checks a link name the way the kernel will (1 to 15 bytes, no '/', ':' or
// whitespace, not "." or ".."), before it goes into a fixed-size message.
Status check_ifname(const std::string& name);

Result<std::vector<LinkInfo>> dump_links(NetlinkSocket& sock);
// The link of that name; nullopt when there is none.
Result<std::optional<LinkInfo>> find_link(NetlinkSocket& sock, const std::string& name);
// The ifindex of a link that must exist; the Error names the link otherwise.
Result<int> link_index(NetlinkSocket& sock, const std::string& name);
// ifindex -> name for every link, to name the devices of routes in a dump.
Result<std::map<int, std::string>> link_names(NetlinkSocket& sock);

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
