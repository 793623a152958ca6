#pragma once

// Policy routing rules (`ip rule`, `ip -6 rule`) over rtnetlink.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlink/message.hpp"
#include "netlink/socket.hpp"
#include "state/describe.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::netlink {

// A rule as the kernel reports it, with the protocol that marks its owner.
struct RuleEntry {
    state::Rule rule;           // origin is empty
    std::uint8_t protocol = 0;  // FRA_PROTOCOL: kRouteProtocol for vpngw's rules
};

// The "lookup <table>" rules of both families; with `protocol`, only those of
// that protocol. Rules with other actions (goto, blackhole, prohibit, ...)
// are not in state::Rule's vocabulary and are left out.
Result<std::vector<RuleEntry>> dump_rules(NetlinkSocket& sock,
                                          std::optional<std::uint8_t> protocol);

// Adds the rule with FRA_PROTOCOL kRouteProtocol (NLM_F_EXCL).
Status add_rule(NetlinkSocket& sock, const state::Rule& rule);
// Deletes the rule of protocol kRouteProtocol with this priority, table and
// selectors. The kernel treats selectors the request leaves out (no fwmark,
// no source, no iif, no suppress_prefixlength) as wildcards, so of two vpngw
// rules that differ only there, either may go: vpngw gives each rule its own
// priority, which keeps that from happening.
Status delete_rule(NetlinkSocket& sock, const state::Rule& rule);

using state::describe_rule;

// The RTM_NEWRULE/RTM_DELRULE message for `rule`, protocol kRouteProtocol.
nlmsghdr* build_rule_message(MessageBuffer& buf, std::uint16_t type, std::uint16_t flags,
                             const state::Rule& rule);

}  // namespace vpngw::netlink
