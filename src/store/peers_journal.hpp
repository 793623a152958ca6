#pragma once

// <state_dir>/peers.journal: the peer changes made since peers.tsv (the
// snapshot) was last written, so `vpngw peer add/remove` append one fsynced
// line instead of rewriting every peer. The first line names the snapshot it
// continues; then one change a line, in the peers.tsv line format:
//
//   vpngw-peers-journal 1 3f9c0a7d12e45b60     ("-": no snapshot, or one without an id)
//   add	alice	staff	xTIBA5rb...=	10.8.1.2	fd08:0:0:1::2	psk
//   2024-05-01T12:00:00Z remove	alice
//
// A journal that names another snapshot than peers.tsv's was compacted into
// it already (a crash between writing the snapshot and deleting the journal)
// and is ignored. A last line without its newline was cut by a crash before
// its fsync returned, so its command never reported success: it is ignored,
// and cut off by the next append.

#include <string>
#include <string_view>
#include <vector>

#include "store/peer_store.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::store {

struct JournalEntry {
    enum class Op { add, remove };
    Op op = Op::add;
    std::string_view name;
    std::string_view line;  // add: the peer line, as in peers.tsv
    int line_no = 0;
};

struct JournalText {
    std::string_view snapshot;  // the id it continues; "-" for none
    std::vector<JournalEntry> entries;
    bool torn = false;  // a cut last line was left out
};

// The snapshot id a journal names for a snapshot text without one.
inline constexpr std::string_view kNoSnapshot = "-";

// Splits (does not validate peer lines: callers parse what they need). Errors,
// located, for a complete line that is no journal entry.
Result<JournalText> parse_journal(std::string_view text, const std::string& file);

std::string journal_add_entry(const StoredPeer& peer);
std::string journal_remove_entry(std::string_view name);

// Appends `entry` (one line, without newline) and fsyncs it. Starts the file
// afresh (header naming `snapshot`) when it is missing, continues another
// snapshot, or was cut within its header; cuts a torn last line first. The
// file is 0600.
Status append_journal(const StatePaths& paths, std::string_view snapshot, std::string_view entry);

}  // namespace vpngw::store
