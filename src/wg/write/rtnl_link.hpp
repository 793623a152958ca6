#pragma once

// The two rtnetlink requests the WireGuard backends need: add a link of a
// given kind and delete a link by name. Kept here (not in src/netlink) so the
// backends stand alone.

#include <string>

#include "util/result.hpp"

namespace vpngw::wg {

// RTM_NEWLINK with IFLA_IFNAME and IFLA_LINKINFO/IFLA_INFO_KIND (NLM_F_EXCL).
Status rtnl_create_link(const std::string& ifname, const std::string& kind);
// RTM_DELLINK by IFLA_IFNAME.
Status rtnl_delete_link(const std::string& ifname);
// Whether a network interface of that name exists in this namespace.
bool link_exists(const std::string& ifname);

// Checks the name the way the kernel will (1..15 bytes, no '/', no whitespace),
// so errors come back before anything is started.
Status check_ifname(const std::string& ifname);

}  // namespace vpngw::wg
