#pragma once

// A shortcut for observing vpngw's nft table on a no-op `up` or `status`.
// Dumping 50,000 peer elements and listing the table cost most of a no-op;
// the kernel's nftables generation id changes on every nftables commit by any
// tool, so when it equals the one read right after vpngw last left the table
// as the plan wanted, and the plan still wants the same table and elements,
// the table is known to be as desired without reading it.
//
// The record lives in the state directory, written atomically after each
// successful `up`. It also names the boot and the network namespace (the
// generation counter restarts with each): a record from elsewhere, or one
// missing, unreadable or malformed, just means "no shortcut".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ops/observed.hpp"
#include "util/result.hpp"

namespace vpngw::exec {

struct NftShortcut {
    std::string boot_id;      // /proc/sys/kernel/random/boot_id
    std::uint64_t netns = 0;  // inode of /proc/self/ns/net
    std::uint32_t genid = 0;  // nftables generation after vpngw's last commit
    std::string desired;      // nft_desired_digest() of the plan applied
    bool operator==(const NftShortcut&) const = default;
};

// The file's bytes, and back: nullopt for anything but a well-formed record
// of this version (never an error: a bad record only costs the shortcut).
std::string encode_nft_shortcut(const NftShortcut& s);
std::optional<NftShortcut> decode_nft_shortcut(std::string_view text);

// A hex digest of what the plan wants of the table: its ruleset hash and
// every peer element, in order.
std::string nft_desired_digest(const ops::Desired& desired);

// This boot and namespace with the current generation and `desired_digest`:
// what a record must equal for the shortcut to be taken.
Result<NftShortcut> current_nft_shortcut(std::string desired_digest);

// The recorded shortcut, nullopt when there is none or it is unusable.
std::optional<NftShortcut> read_nft_shortcut(const std::string& file);

// Records `s` (written atomically); failures are ignored by callers: no
// record only means the next no-op reads the table.
Status write_nft_shortcut(const std::string& file, const NftShortcut& s);

// Removes the record (before vpngw changes the table, and when it cannot vouch).
void forget_nft_shortcut(const std::string& file);

}  // namespace vpngw::exec
