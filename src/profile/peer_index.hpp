#pragma once

// The profile's own [[peer]] tables as `peer add` and `peer remove` ask about
// them, without decoding them: <state_dir>/profile.index, written next to the
// profile cache (profile/cache.hpp) after a full load checked every table.
//
// An add at 50,000 inline peers must cost what it costs at 1,000, so the
// file holds sorted, fixed-size records (names, public keys, fixed addresses,
// runs of consecutive addresses per group) in blocks of 4 KiB, and a lookup
// is a binary search that reads and checks about log2(blocks) of them. The
// file is the attacker's to edit like the cache: its header (the text's
// digest and file stamp, the profile without its peers, the diagnostics,
// each group's peer count, where the sections lie) carries a BLAKE2b keyed
// with the state directory's seal, and so does every block, bound to the
// header's random nonce, its section and its number. No byte of a block is
// compared before its seal is: a block that fails is an error of the lookup,
// never an answer.
//
// Written only for profiles whose peers it stands for whole: every peer has
// the fixed addresses its group's subnets call for, and none routes networks
// (those answers need the peers themselves: allocation around the stored
// peers, the networks in client configs). Others load in full.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/profile.hpp"
#include "profile/cache_codec.hpp"
#include "util/error.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::profile {

inline constexpr const char* kIndexFile = "profile.index";

// What stat(2) says of the profile file, and when. A later load that finds
// the same stamp takes the text for unchanged without reading it, when it
// was taken well after the file's last change (ctime): a write in the same
// clock tick as that change, with the same size and times, cannot hide.
struct FileStamp {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_sec = 0, mtime_nsec = 0, ctime_sec = 0, ctime_nsec = 0;
    std::int64_t taken_sec = 0, taken_nsec = 0;  // the stamp's own time
    bool same_file(const FileStamp& o) const {
        return dev == o.dev && ino == o.ino && size == o.size && mtime_sec == o.mtime_sec &&
               mtime_nsec == o.mtime_nsec && ctime_sec == o.ctime_sec && ctime_nsec == o.ctime_nsec;
    }
    // Taken more than `settle` after the file's last change.
    bool settled(std::chrono::nanoseconds settle) const;
};

// The stamp of `path` now (nullopt: no such file).
std::optional<FileStamp> stamp_of(const std::string& path);

// A profile peer a lookup found: its name and the place of its table.
struct DeclaredPeer {
    std::string name;
    Location table;
};

// Everything the index file says besides the peers' records.
struct IndexHeader {
    TextDigest key{};      // digest_of_text() of the profile text
    std::string source;    // the profile's file name
    std::string base_dir;  // what relative key paths resolve against
    FileStamp stamp;
    std::string rest;  // the text with the [[peer]] tables blanked (trailing lines cut)
    std::vector<Diagnostic> diagnostics;          // of the full load
    std::map<std::string, std::uint32_t> groups;  // peers of each group (every group)
    std::size_t peers = 0;
};

class DeclaredPeers {
  public:
    // Lookups: nullopt when no profile peer has it. An Error when a block
    // fails its seal or cannot be read (the index is then removed: the next
    // full load writes it again).
    Result<std::optional<DeclaredPeer>> by_name(std::string_view name) const;
    Result<std::optional<DeclaredPeer>> by_key(const PublicKey& key) const;
    // A peer's `address` or `address6` (what --address may not take).
    Result<std::optional<DeclaredPeer>> by_address(const IpAddress& a) const;
    // When `a` is a fixed address of one of `group`'s peers: the last address
    // of the run of consecutive such addresses that holds it.
    Result<std::optional<IpAddress>> run_end(std::string_view group, const IpAddress& a) const;
    // The profile peers of `group`.
    std::size_t count(std::string_view group) const;
    std::size_t size() const { return header_.peers; }
    const IndexHeader& header() const { return header_; }

    // The index in the open file `fd` (named `file`), when it decodes and its
    // header is sealed with `seal`; the blocks are checked as lookups read them.
    static std::optional<DeclaredPeers> open(UniqueFd fd, std::string file, const CacheSeal& seal);

    DeclaredPeers(DeclaredPeers&&) = default;
    DeclaredPeers& operator=(DeclaredPeers&&) = default;

  private:
    DeclaredPeers() = default;
    struct Section {
        std::uint64_t offset = 0;  // of its first block in the file
        std::uint32_t records = 0;
    };
    // The last record of `section` whose first key.size() bytes are at most
    // `key` (memcmp order), or nullopt.
    Result<std::optional<std::string>> last_at_most(int section, std::string_view key) const;
    Result<std::string> block(int section, std::uint32_t index) const;
    Error damaged(const std::string& why) const;

    UniqueFd fd_;
    std::string file_;
    std::unique_ptr<CacheSeal> seal_;
    std::array<std::uint8_t, 16> nonce_{};
    IndexHeader header_;
    std::array<Section, 4> sections_{};
    mutable std::map<std::uint64_t, std::string> blocks_;  // checked, by section << 32 | index
};

// The index file's bytes for `peers` of `profile` (loaded in full, with
// their table places), or nullopt when the index cannot stand for them
// (above).
std::optional<std::string> encode_peer_index(const IndexHeader& header,
                                             const model::Profile& profile, const CacheSeal& seal);

}  // namespace vpngw::profile
