#pragma once

// Sysctls of the current network namespace, through /proc/sys (which shows
// the namespace of the process reading it). Read side; writing is
// netlink/write/sysctl.hpp (exec/ only).

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::netlink {

// "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward". A key containing
// '/' is taken with '/' as the separator, as sysctl(8) does, so interface
// names with dots can be written ("net/ipv4/conf/eth0.100/forwarding").
// Errors for empty keys and components that would leave /proc/sys.
Result<std::string> sysctl_path(std::string_view key);

// The value without its trailing newline.
Result<std::string> read_sysctl(std::string_view key);
// "<verb> sysctl <key>: <strerror(e)>", for reads here and writes in
// netlink/write/sysctl.cpp.
Error sysctl_error(std::string_view verb, std::string_view key, int e);

}  // namespace vpngw::netlink
