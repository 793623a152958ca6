#pragma once

// The bytes of a profile cache (profile/cache.hpp): what a full load of one
// exact profile text produced that is costly to produce again (the validated
// [[peer]] tables and every diagnostic), and where those tables were in the
// text. Decoding checks every length and value against the bytes left and
// the ranges a model value may take; anything off decodes to nothing, never
// to a partial result.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/profile.hpp"
#include "util/error.hpp"

namespace vpngw::profile {

// Lines first..last (1-based, inclusive) of the text held one [[peer]] table.
struct LineRange {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
};

using TextDigest = std::array<std::uint8_t, 32>;

struct CachedProfile {
    TextDigest key{};    // digest_of_text() of the text this was loaded from
    std::string source;  // the profile's file name, which most locations carry
    std::vector<LineRange> peer_lines;
    std::vector<Diagnostic> diagnostics;  // of the full load: warnings only
    std::vector<model::Peer> peers;
};

// BLAKE2b-256 of what a load depends on: the codec's version and the model's
// layout, the file name (locations carry it), the directory relative key paths
// resolve against, and the text.
TextDigest digest_of_text(std::string_view source, std::string_view base_dir,
                          std::string_view text);

// The secret the cache's records are sealed with (<state_dir>/profile.cache.key,
// 0600, random, made with the first cache). A record is written only after a
// full load that checked everything; the seal is what lets a load trust that
// without running the checks across 50,000 peers again: a record not sealed
// with this key (forged or edited, even with a valid plain checksum) decodes
// to nothing. Wiped when freed.
struct CacheSeal {
    std::array<std::uint8_t, 32> key{};
    CacheSeal() = default;
    CacheSeal(const CacheSeal&) = delete;
    CacheSeal& operator=(const CacheSeal&) = delete;
    ~CacheSeal();
};

// A sealed record: a version tag, the fields, and a BLAKE2b-256 keyed with
// the seal over it all.
std::string encode_cache(const CachedProfile& cache, const CacheSeal& seal);
std::optional<CachedProfile> decode_cache(std::string_view bytes, const CacheSeal& seal);

}  // namespace vpngw::profile
