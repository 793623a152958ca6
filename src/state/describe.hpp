#pragma once

// One text form of routes and rules, shared by plan output, logs and the
// errors of the netlink layer, so the user sees the same words everywhere.

#include <string>

#include "state/kernel_state.hpp"

namespace vpngw::state {

// "0x51001": marks and masks as `ip rule` prints them.
std::string hex(std::uint32_t value);

// "unspec", "default", "main", "local" for the kernel's own tables, else the number.
std::string table_name(std::uint32_t table);

// "default via 192.0.2.1 dev eth0 table 51001", "blackhole 10.0.0.0/8 table 5".
std::string describe_route(const Route& route);
// "IPv4 rule 5000: from all fwmark 0x51001/0xffffffff lookup 51001".
std::string describe_rule(const Rule& rule);

}  // namespace vpngw::state
