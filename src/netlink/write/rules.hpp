#pragma once

// vpngw's policy routing rules over rtnetlink, write side. Only exec/ includes this.

#include <cstdint>

#include "netlink/message.hpp"
#include "netlink/rules.hpp"
#include "netlink/socket.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// Adds the rule with FRA_PROTOCOL kRouteProtocol (NLM_F_EXCL).
Status add_rule(NetlinkSocket& sock, const state::Rule& rule);
// Deletes the rule of protocol kRouteProtocol with this priority, table and
// selectors. The kernel treats selectors the request leaves out (no fwmark,
// no source, no iif, no suppress_prefixlength) as wildcards, so of two vpngw
// rules that differ only there, either may go: vpngw gives each rule its own
// priority, which keeps that from happening.
Status delete_rule(NetlinkSocket& sock, const state::Rule& rule);

// The RTM_NEWRULE/RTM_DELRULE message for `rule`, protocol kRouteProtocol.
nlmsghdr* build_rule_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                             const state::Rule& rule);

}  // namespace vpngw::netlink
