#pragma once

// The SQLite registry: <state_dir>/peers.db (0600), write-ahead logging,
// foreign keys on, the schema of sqlite_schema.cpp. Each call runs its own
// transaction; writes use BEGIN IMMEDIATE, so separate processes serialise on
// the database's write lock (waiting up to a busy timeout) and an add's
// address choice cannot race another add.

#include <functional>
#include <memory>
#include <string>

#include "registry/registry.hpp"

namespace vpngw::registry {

// <state_dir>/peers.db
std::string registry_file(const std::string& state_dir);

// Opens the registry of `state_dir` (created 0700 when missing), creating the
// database or bringing its schema up to date. A state directory of an earlier
// release (peers.tsv + peers.journal, or peers.toml) is migrated on the first
// open: see legacy_import.hpp. `actor` is recorded for that migration.
Result<std::unique_ptr<Registry>> open_sqlite_registry(const std::string& state_dir,
                                                       const Actor& actor);

// The stored peers, for commands that change nothing (`plan`, `status`,
// `peer list`): read from peers.db without creating or upgrading anything, or
// from a legacy state directory not migrated yet; none when neither exists.
Result<std::vector<PeerRecord>> read_stored_peers(const std::string& state_dir);
// The same one at a time (Registry::each), and one peer by name. `expect`,
// when given, learns how many peers follow before the first is visited (to
// reserve room for them).
Status each_stored_peer(const std::string& state_dir, const Registry::Visit& visit,
                        const std::function<void(std::size_t)>& expect = {});
Result<std::optional<PeerRecord>> read_stored_peer(const std::string& state_dir,
                                                   std::string_view name);
// The peers whose expiry has passed by `now` and that are not disabled yet:
// what the monitor checks every round (one query, no peer loaded).
Result<std::vector<std::string>> read_due_expiries(const std::string& state_dir,
                                                   std::chrono::sys_seconds now);
// What the kernel is planned from in the registry, as one comparable text
// that changes with every write of a peer, its addresses or its networks
// (schema step 5's revision row, kept by triggers; with the file's identity,
// so a different peers.db put in its place differs too). "none" when the
// state directory holds no peers at all; nullopt when it cannot be told
// cheaply: legacy files not migrated yet, or a schema before step 5.
Result<std::optional<std::string>> read_revision(const std::string& state_dir);
// The audit trail the same way (empty without peers.db).
Result<std::vector<AuditEntry>> read_audit(const std::string& state_dir, const AuditFilter& filter);

}  // namespace vpngw::registry
