#pragma once

// Network interfaces over rtnetlink, read side: observe. Creating, changing
// and deleting them is netlink/write/links.hpp (exec/ only).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netlink/message.hpp"
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

// An RTM_*LINK message addressed by name (ifi_index 0): the lookup here and
// the changes of netlink/write/links.hpp.
nlmsghdr* link_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                       const std::string& name);

}  // namespace vpngw::netlink
