#pragma once

// Which address a port forward's connections reach their target from.
//
// A WireGuard client only accepts a packet whose source its AllowedIPs
// cover, and sends its answer only where they route. A full-tunnel client
// routes everything to the gateway, so the remote's real address works; a
// split-tunnel client routes only the VPN's prefixes, so a connection from
// the internet would be dropped by its WireGuard (or answered around the
// tunnel). For such targets the forward is masqueraded to the gateway's own
// address on the target's device by default: the answer then goes back into
// the tunnel with every client config already handed out, and the client's
// other traffic is untouched. `source = "keep"` keeps the real address; the
// target's client config then routes the forward's sources into the tunnel.

#include "model/profile.hpp"

namespace vpngw::model {

// The group (WireGuard or [[network]]) whose subnet holds the forward's
// target, or nullptr.
const Group* forward_target_group(const Profile& profile, const Forward& forward);

// Whether a split-tunnel client of `group` routes every source of the
// forward into the tunnel anyway (its allow list holds them, or "any").
bool split_client_routes_sources(const Group& group, const Forward& forward);

// Whether the forward's connections leave towards the target with the
// gateway's address as their source: "gateway", or "auto" with a target in
// a split-tunnel WireGuard group whose clients do not route the forward's
// sources back into the tunnel.
bool forward_from_gateway(const Profile& profile, const Forward& forward);

// The sources a target that keeps them must route back into the tunnel:
// allow_from's prefixes of the target's family, or the whole family (/0)
// when the forward is open to any source.
std::vector<Prefix> forward_sources(const Forward& forward);

}  // namespace vpngw::model
