#pragma once

// What the peer commands (peers_add.cpp, peers_remove.cpp, peers_lifecycle.cpp)
// share: the registry and lock checks, a peer's interface, its client config,
// and moving the kernel from a peer's old record to its new one.

#include <optional>
#include <string>

#include "gateway/peers.hpp"

namespace vpngw::gateway::detail {

// The lock and the open registry a change needs, and no apply pending.
Status check_writable(const Session& session, const char* command);

// The interface of the peer's group; errors name what is missing.
Result<const model::Interface*> interface_of(const model::Profile& profile,
                                             const std::string& group);

// An error for a name the profile itself declares, or none.
std::optional<Error> declared_in_profile(const Session& session, const std::string& name,
                                         const char* what_to_do);

// Addresses given with --address (at most one of each family): host
// addresses of the group's subnets, not an interface's or a profile peer's
// (the registry's own are UNIQUE there). `declared`: the profile's peers when
// profile.peers leaves them out (Session::declared).
Result<registry::Addresses> fixed_addresses(const model::Profile& profile,
                                            const model::Group& group,
                                            const std::vector<IpAddress>& given,
                                            const profile::DeclaredPeers* declared = nullptr);

// Renders the client config of `peer` (with its new addresses and keys).
Result<SecretText> render_config(const Session& session, const registry::PeerRecord& peer,
                                 const std::optional<SecretKey>& private_key,
                                 const std::optional<SecretKey>& psk);

// The client's private key from its stored config, when vpngw made it (none
// when the client keeps its own).
Result<std::optional<SecretKey>> stored_private_key(const Session& session,
                                                    const std::string& name);

// The peer's preshared key from psk/<name>.psk when it has one.
Result<std::optional<SecretKey>> stored_psk(const Session& session,
                                            const registry::PeerRecord& peer);

// Moves the kernel from `before` to `after` (either absent: not in the
// kernel); `after` goes in when active (not disabled, not expired), `before`
// counts as in unless disabled. Only what differs is touched: the same key on the same interface
// keeps its WireGuard session (elements out, then set + elements in).
// Skipped, with a note, when the interface is not up.
Result<LiveOutcome> apply_transition(const Session& session, LiveGateway& live,
                                     const std::optional<registry::PeerRecord>& before,
                                     const std::optional<registry::PeerRecord>& after,
                                     const std::optional<SecretKey>& psk);

// Replaces (or appends, or removes) the session's merged copy of a peer.
void update_session_peer(Session& session, const std::string& old_name,
                         const std::optional<registry::PeerRecord>& now);

}  // namespace vpngw::gateway::detail
