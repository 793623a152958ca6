#pragma once

// <state_dir>/peers.index/: what `vpngw peer add/remove` need to know about
// the stored peers, kept so that neither reads them all (at 50,000 peers the
// whole-state read and the address parse cost ~50 ms per command):
//
//   peers.index/                0700
//     tag                       what the index describes (see below); written last
//     names/<name>              symlink whose target is the peer's line (peers.tsv format)
//     keys/<key>                symlink whose target is the owner's name; <key> is the
//                               base64 public key with '/' written as '_'
//     bits/<group>.4, .6        bit i set: offset i of the group's subnet is a stored
//                               peer's address (raw little-endian 64-bit words)
//
// Symlinks are one-syscall records: created whole or not at all, read with
// one readlink, found through the directory's hash index (ext4 htree), so a
// lookup costs the same at 10 peers and at 100,000.
//
// The tag names the exact files the index was built from (device, inode,
// size and mtime of peers.tsv and peers.journal), the group subnets it maps
// offsets for, and the boot it was written in. Every change appends to the
// journal first, which makes the old tag stale; the index files change next
// and the tag is rewritten last. So a crash anywhere in between (or a
// compaction, an `up`, an import, a hand edit) leaves a tag that does not
// match, and the next open rebuilds the index from one full scan. Index files
// are not fsynced: after a crash of the machine (another boot id) the index
// is rebuilt anyway, and a crash of the process loses nothing written.
//
// Callers hold the state lock.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/peer_store.hpp"
#include "store/state_paths.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::store {

// How addresses map to bits: `id` changes whenever any group's subnets do
// (the index is then rebuilt); `offset` gives an address's offset in its
// group's subnet of the address's family, nullopt outside it.
struct IndexLayout {
    std::string id;
    std::function<std::optional<std::uint64_t>(std::string_view group, const IpAddress&)> offset;
};

// Offsets at or beyond this are not indexed (a bitmap of at most 128 KiB);
// a state with such an address is not indexable and callers scan instead.
inline constexpr std::uint64_t kIndexOffsetLimit = std::uint64_t{1} << 20;

class PeersIndex {
  public:
    // The index of the current state, rebuilt first when its tag does not
    // match. nullopt when the state cannot be indexed (a peers.toml of earlier
    // versions not yet migrated, an address offset beyond kIndexOffsetLimit):
    // the caller takes the scanning path.
    static Result<std::optional<PeersIndex>> open(const StatePaths& paths, IndexLayout layout);

    // What a journal entry appended now must name.
    const std::string& snapshot_id() const { return snapshot_id_; }
    bool has_name(std::string_view name) const;
    // The peer line of the stored peer `name`, nullopt when there is none.
    std::optional<std::string> peer_line(std::string_view name) const;
    // The name of the stored peer with this key, nullopt when there is none.
    std::optional<std::string> key_owner(const PublicKey& key) const;
    // The group's bitmap words for one family (empty: no offset taken).
    Result<std::vector<std::uint64_t>> bitmap(std::string_view group, Family family) const;
    // Whether peers.journal has grown enough to fold it into peers.tsv
    // (the sizes stand in for the entry counts StoredPeerText counts).
    bool wants_compaction() const;

    // After the journal entry for the change is appended and fsynced: update
    // the entries, then the tag. On error the tag is left stale (the next
    // open rebuilds), so the error is a note, never a lost change.
    Status record_added(const StoredPeer& peer);
    Status record_removed(const StoredPeer& peer);

    // Rebuilds from a full scan (what open does when the tag is stale).
    static Status rebuild(const StatePaths& paths, const IndexLayout& layout);
    // The tag the current files would get with `layout_id`.
    static std::string current_tag(const StatePaths& paths, const std::string& layout_id);
    // The tag on disk when it matches the current files, "" otherwise.
    static std::string matching_tag(const StatePaths& paths);
    // Removes the tag: the next open rebuilds.
    static void invalidate(const StatePaths& paths);
    // For compact_peers, which keeps the same peers in new files: when the
    // tag matched the files before (`before`, from matching_tag), it is moved
    // to the new ones, sparing a rebuild; otherwise it is removed.
    static void retag_after_compaction(const StatePaths& paths, const std::string& before);

  private:
    Status set_bit(const StoredPeer& peer, bool on);
    Status write_tag();

    StatePaths paths_;
    IndexLayout layout_;
    std::string snapshot_id_;
    std::uint64_t snapshot_bytes_ = 0, journal_bytes_ = 0;
};

}  // namespace vpngw::store
