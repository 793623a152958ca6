#pragma once

// The stored peers as text (peers.tsv and the journal continuing it), read
// but not parsed: `vpngw peer add/remove` learn what they need about the
// other peers (names, keys, one group's addresses) from one pass over the
// bytes, which at 50,000 peers costs a few milliseconds where parsing,
// validating and merging every peer cost hundreds. Full validation stays with
// load_peers (every other command, and `up`).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/peers_journal.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::store {

// One live peer's fields, unvalidated, as written.
struct RawPeer {
    std::string_view name, group, public_key, address, address6;
    std::string_view line;  // the whole peer line
    const std::string* file = nullptr;
    int line_no = 0;
};

class StoredPeerText {
  public:
    // Missing files are empty. A peers.toml of earlier versions is not read
    // here: `legacy` tells the caller to take the slow path (load_peers).
    static Result<StoredPeerText> read(const StatePaths& paths);

    // Every live peer: snapshot lines the journal does not change, then the
    // journal's adds that no later remove undoes. Errors, located, for a line
    // that does not have the seven fields.
    Status for_each(const std::function<void(const RawPeer&)>& f) const;

    bool legacy() const { return legacy_; }
    // What a journal entry appended now must name (see peers_journal.hpp).
    std::string_view snapshot_id() const { return snapshot_id_; }
    // Whether the journal has grown enough to be folded into the snapshot:
    // beyond 4096 entries, or beyond 64 and an eighth of the snapshot.
    bool wants_compaction() const;

  private:
    std::unique_ptr<std::string> snapshot_, journal_;  // heap: views point into them
    std::string snapshot_file_, journal_file_;
    std::string snapshot_id_;
    JournalText changes_;  // empty when the journal continues another snapshot
    bool legacy_ = false;
};

// StoredPeerText::read for a command that changes the peers (the caller
// holds the state lock): a peers.toml of earlier versions is migrated to
// peers.tsv first, so that journal entries continue a snapshot.
Result<StoredPeerText> read_for_change(const StatePaths& paths);

// compact_peers when `text` (read before this command's journal entry) says
// the journal has grown enough. The error says the journal stays as it is
// (nothing is lost: the next change or `up` tries again).
Status compact_when_due(const StoredPeerText& text, const StatePaths& paths);
// The same, with the caller's verdict (PeersIndex::wants_compaction).
Status compact_when_due(bool due, const StatePaths& paths);

}  // namespace vpngw::store
