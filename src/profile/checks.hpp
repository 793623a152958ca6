#pragma once

// Checks across tables, run once every table has been read. Each is careful
// not to repeat a problem a reader already reported (a value that failed to
// parse is simply absent here).

#include "model/profile.hpp"
#include "profile/context.hpp"

namespace vpngw::profile {

// Names that must exist (interfaces, uplinks, groups), with the defaults that
// apply when exactly one candidate exists; fills group.interface and
// forward.uplink. Warns about groups without egress among several uplinks.
void resolve_references(Context& ctx, model::Profile& profile);

// Names, ports, routing tables, fwmarks, peer keys and addresses, forwards.
void check_unique(Context& ctx, const model::Profile& profile);

// Subnets inside their interface, no overlap between groups, peer addresses
// inside their group; warns about forward targets outside every group.
void check_addressing(Context& ctx, const model::Profile& profile);

// Allow lists against isolation: warns when an isolated group's inclusions
// reach other groups wholesale ("0.0.0.0/0" includes group:X) or its own
// subnet (which isolation keeps closed anyway).
void check_allow_lists(Context& ctx, const model::Profile& profile);

// Groups' `fallback` lists: an egress to fall back from, a single one (not
// balanced), existing uplinks or "main", none twice, not the egress itself.
void check_fallbacks(Context& ctx, const model::Profile& profile);

// Port forwards whose answer cannot come back: a kept source address to a
// split-tunnel client (its AllowedIPs must route the sources back), or a
// masquerade with no address of the target's family on its device.
void check_forward_answers(Context& ctx, const model::Profile& profile);

// Group subnets with no host address left for a peer once the gateway's
// own addresses are taken (a /32, a /31 holding the gateway, an IPv6 /128).
void check_group_capacity(Context& ctx, const model::Profile& profile);

// Transparent proxies against the rest of the profile: the families they
// ask for exist in their group, and TPROXY's mark and table are free.
void check_proxies(Context& ctx, const model::Profile& profile);

// Routing tables 51001, 51002, ... and fwmarks 0x51001, 0x51002, ... for
// uplinks that do not set them, in uplink order, skipping values in use.
void allocate_uplink_ids(model::Profile& profile);

}  // namespace vpngw::profile
