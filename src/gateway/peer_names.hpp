#pragma once

// Peers' names in DNS ([dns]) kept in step with the peers: the one call the
// peer-change path makes after a peer was added, removed or changed. It edits
// the changed peer's lines in the resolver's hosts file (or writes the file
// from every peer when it is missing) and has a running dnsmasq re-read it;
// without [dns] it does nothing.

#include <optional>
#include <string>
#include <vector>

#include "gateway/session.hpp"
#include "plan/allocate.hpp"
#include "registry/registry.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

// "names: 12 peers in vpn.internal; dnsmasq reloaded" (or why not), "" without [dns].
// Reads every peer: for `peer import` and where the hosts file is missing.
std::string refresh_peer_names(const Session& session);

// After one registry peer changed (`before` nullopt: added; `after` nullopt:
// removed): only its own name is edited in the hosts file (dns::edit_hosts),
// no other peer is read, so a peer change costs the same at 50,000 peers as
// at 1,000. Falls back to refresh_peer_names when the file does not exist
// yet. "" without [dns] or when the peer's name and addresses are unchanged.
std::string update_peer_name(const Session& session,
                             const std::optional<registry::PeerRecord>& before,
                             const std::optional<registry::PeerRecord>& after);

// Every peer's addresses, index-aligned with session.profile.peers, which must
// be a merged session's (stored peers included).
Result<std::vector<plan::PeerAddresses>> peer_name_addresses(const Session& session);

}  // namespace vpngw::gateway
