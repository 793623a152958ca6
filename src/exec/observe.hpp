#pragma once

#include "exec/backends.hpp"
#include "netlink/socket.hpp"
#include "ops/observed.hpp"
#include "util/result.hpp"

namespace vpngw::exec {

// Reads, and never writes, the kernel objects that the desired state names or
// that carry vpngw's marks: links, their addresses, routes and rules of
// protocol 86, WireGuard devices, the sysctls, and vpngw's nft table.
Result<ops::Observed> observe(const ops::Desired& desired, netlink::NetlinkSocket& sock,
                              Backends& backends);

}  // namespace vpngw::exec
