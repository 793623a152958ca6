#pragma once

// Reading the kernel's rtnetlink replies, one message at a time and with no
// socket in sight: what dump_links/dump_addresses/dump_routes/dump_rules and
// the socket's acknowledgement handling call for each message they receive.
// Each returns nullopt for a message it does not describe (another type, a
// truncated header); none reads past nlmsg_len. Fuzzed by
// tests/fuzz/netlink_fuzz.cpp with dumps captured from a real kernel.

#include <linux/netlink.h>

#include <map>
#include <optional>
#include <string>

#include "netlink/links.hpp"
#include "netlink/routes.hpp"
#include "netlink/rules.hpp"
#include "netlink/socket.hpp"
#include "util/ip.hpp"

namespace vpngw::netlink {

std::optional<LinkInfo> parse_link(const nlmsghdr* nlh);

struct ParsedAddress {
    int ifindex = 0;
    Prefix prefix;
};
std::optional<ParsedAddress> parse_address(const nlmsghdr* nlh);

// `names` maps RTA_OIF's index to a link name (from the link dump).
std::optional<RouteEntry> parse_route(const nlmsghdr* nlh, const std::map<int, std::string>& names);

std::optional<RuleEntry> parse_rule(const nlmsghdr* nlh);

// NLMSG_ERROR (an acknowledgement, error 0, or a failure with its extended
// message) and NLMSG_DONE (a dump's final status).
Ack parse_ack(const nlmsghdr* nlh);
Ack parse_done(const nlmsghdr* nlh);

}  // namespace vpngw::netlink
