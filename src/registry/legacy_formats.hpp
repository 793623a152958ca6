#pragma once

// The peer files of earlier releases, parsed only to migrate them into the
// registry (legacy_import.hpp): peers.tsv and peers.journal
// (legacy_text.cpp), and the older peers.toml (legacy_toml.cpp). Errors name
// file:line:col and the field, and never quote a key.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/registry.hpp"
#include "store/excerpt.hpp"
#include "store/state_paths.hpp"

namespace vpngw::registry::legacy {

// The snapshot id peers.tsv names on its second line ("# snapshot <id>"), or
// empty; a journal continuing a snapshot without one names "-".
std::string_view snapshot_id(std::string_view text);
inline constexpr std::string_view kNoSnapshot = "-";

Result<std::vector<PeerRecord>> parse_tsv(std::string_view text, const std::string& file);

struct JournalEntry {
    std::string name;
    std::optional<PeerRecord> added;  // none: a removal
    int line_no = 0;
};
struct Journal {
    std::string_view snapshot;  // the id it continues
    std::vector<JournalEntry> entries;
};
Result<Journal> parse_journal(std::string_view text, const std::string& file);
// Applies the journal's changes in order; the result repeats no name, key or
// address.
Status replay(std::vector<PeerRecord>& peers, const Journal& journal, const std::string& file);

// peers.toml, "version = 1", [[peer]] tables.
Result<std::vector<PeerRecord>> parse_toml(std::string_view text, const std::string& file);

}  // namespace vpngw::registry::legacy
