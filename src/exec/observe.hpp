#pragma once

#include <string>

#include "exec/backends.hpp"
#include "netlink/socket.hpp"
#include "ops/observed.hpp"
#include "util/result.hpp"

namespace vpngw::exec {

// Reads, and never writes, the kernel objects that the desired state names or
// that carry vpngw's marks: links, their addresses, routes and rules of
// protocol 86, WireGuard devices, the sysctls, and vpngw's nft table.
// `nft_listing_file` is the fingerprint recorded after vpngw last replaced the
// table (exec/nft_listing.hpp); "" skips the check for hand edits.
// `nft_as_desired`: the caller matched the nftables generation with its record
// (exec/nft_shortcut.hpp), so the table is taken as desired without reading it.
Result<ops::Observed> observe(const ops::Desired& desired, netlink::NetlinkSocket& sock,
                              Backends& backends, const std::string& nft_listing_file,
                              bool nft_as_desired = false);

}  // namespace vpngw::exec
