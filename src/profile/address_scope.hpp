#pragma once

// Addresses that cannot serve as a gateway's own address on a vpngw device:
// the kernel would accept most of them, and the result would route nothing
// or too much (a /0 claims every address; a multicast or IPv4-mapped
// address is never a packet's destination on a tunnel; a loopback address
// shadows the host's own). Link-local ones are allowed with a warning:
// routing daemons on tunnels use them, but clients cannot reach them
// through the gateway.

#include "profile/context.hpp"
#include "profile/toml_reader.hpp"
#include "util/ip.hpp"

namespace vpngw::profile {

// Errors (refused) or a warning (link-local) at the address's text; false
// when the address is refused.
bool check_interface_address_scope(Context& ctx, const Text& text, const Prefix& address);

}  // namespace vpngw::profile
