#pragma once

// Policy routing rules (`ip rule`, `ip -6 rule`) over rtnetlink, read side
// (adding and deleting: netlink/write/rules.hpp, exec/ only).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

using state::describe_rule;

}  // namespace vpngw::netlink
