#pragma once

// Reading a state directory of an earlier release once, to migrate it into
// the registry: peers.tsv with peers.journal replayed, or the older
// peers.toml (legacy_formats.hpp).
//
// Stricter than the old reader, which took a journal naming another
// snapshot for one already folded in: a journal whose header names no valid
// snapshot id (e.g. one ending in CR after an editor touched it) is refused
// with its location, so its changes are never dropped silently.

#include <optional>
#include <string>
#include <vector>

#include "registry/registry.hpp"

namespace vpngw::registry {

struct LegacyState {
    std::vector<PeerRecord> peers;
    std::vector<std::string> files;  // the legacy files present, renamed *.migrated afterwards
    std::string summary;             // for the audit trail: "peers.tsv + peers.journal: 3 peers"
};

// nullopt when the directory holds no legacy peers file. Errors name
// file:line:col and change nothing.
Result<std::optional<LegacyState>> read_legacy_state(const std::string& state_dir);

// Renames each file to <file>.migrated (then fsyncs the directory).
Status rename_migrated(const std::string& state_dir, const std::vector<std::string>& files);

}  // namespace vpngw::registry
