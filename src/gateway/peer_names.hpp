#pragma once

// Peers' names in DNS ([dns]) kept in step with the peers: the one call the
// peer-change path makes after a peer was added or removed. It rewrites the
// resolver's hosts file from every peer (the profile's and the stored ones)
// and has a running dnsmasq re-read it; without [dns] it does nothing.

#include <string>
#include <vector>

#include "gateway/session.hpp"
#include "plan/allocate.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

// "names: 12 peers in vpn.internal; dnsmasq reloaded" (or why not), "" without [dns].
std::string refresh_peer_names(const Session& session);

// Every peer's addresses, index-aligned with session.profile.peers, which must
// be a merged session's (stored peers included).
Result<std::vector<plan::PeerAddresses>> peer_name_addresses(const Session& session);

}  // namespace vpngw::gateway
