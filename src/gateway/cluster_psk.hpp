#pragma once

// Preshared keys of a fleet's peers (docs/fleet.md "Preshared keys"): the
// gateway that adds or rotates one seals it into the peer's etcd record with
// the cluster secret; every member opens it from there and keeps it in its
// own psk/<name>.psk (0600), where `up` and the kernel steps read it.

#include <optional>
#include <vector>

#include "gateway/session.hpp"

namespace vpngw::gateway {

// Puts `psk` sealed into `record` (its name and public key as they will be
// stored) when the profile has [cluster]; a fleet without `secret_file`
// cannot share the key and is refused. Without [cluster], nothing to do.
Status seal_peer_psk(const Session& session, registry::PeerRecord& record, const SecretKey& psk);

// Seals the PSK of `before` again for `after` when an edit changed the
// peer's name or public key (the sealed value is bound to both).
Status reseal_peer_psk(const Session& session, const registry::PeerRecord& before,
                       registry::PeerRecord& after);

// `peer import` into a fleet: each imported peer with `psk = true` has its
// psk/<name>.psk (the key file that went with the export) sealed into its
// record, as `peer add --psk` would; refused, naming the peer and never the
// key, when the profile has no `secret_file` or a key file does not read.
// Without [cluster], nothing to do.
Status seal_imported_psks(const Session& session, std::vector<registry::PeerRecord>& peers);

// `peer export` on a fleet member: each exported peer's sealed preshared key
// opened into this member's psk/<name>.psk, so the state directory holds
// what a single machine's does (export names no key; psk = true points at
// that file). A key that does not open is returned as a note naming the
// peer; the others are kept.
std::vector<std::string> keep_exported_psks(const Session& session,
                                            const std::vector<registry::PeerRecord>& peers);

// The peer's preshared key, or none when it has none: opened from its
// sealed value (and written to psk/<name>.psk when that file differs), else
// read from psk/<name>.psk. Errors name the peer and its etcd key.
Result<std::optional<SecretKey>> peer_psk(const Session& session,
                                          const registry::PeerRecord& record);

// For `up` on a fleet member: every sealed PSK of `stored` opened into its
// psk/ file; a peer whose value does not open is left out (with a warning
// naming it and its key), the others are applied.
void materialize_sealed_psks(const Session& session, std::vector<registry::PeerRecord>& stored,
                             Diagnostics& diags);

// Removes psk/<name>.psk that a sealed value left here (a missing file is fine).
void forget_sealed_psk(const Session& session, const registry::PeerRecord& record);

}  // namespace vpngw::gateway
