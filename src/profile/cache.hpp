#pragma once

// A profile with tens of thousands of [[peer]] tables costs a few hundred
// milliseconds and ~100 MiB to parse and check; every command would pay it.
// The first load of a text keeps the checked peers in
// <state_dir>/profile.cache, keyed by a BLAKE2b digest of the text; a load of
// the same text then parses the profile with those tables blanked out (the
// rest is small) and takes the peers from the cache. The cache is never
// trusted further than it can be checked cheaply: a record that does not
// decode, whose checksum or digest does not match, whose blanked text does
// not load cleanly, or whose peers do not fit the profile (a group that is
// missing or a network, a name that is not a name, or any error of the
// loader's checks across tables run again with them: names, keys and
// addresses twice, addresses or routed networks outside their group or
// overlapping others) is ignored and the profile is loaded in full (and the
// cache rewritten).
//
// Either way the peers come back without their field places
// (origin.fields; origin.table stays): only the loader's own checks read
// them, and at 50,000 peers those small maps of file names are ~30 MiB of
// every command's memory.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile/cache_codec.hpp"
#include "profile/loader.hpp"
#include "profile/peer_index.hpp"

namespace vpngw::profile {

// Profiles with fewer peers load fast enough; they get no cache file.
inline constexpr std::size_t kCacheMinPeers = 256;

inline constexpr const char* kCacheFile = "profile.cache";
inline constexpr const char* kCacheSealFile = "profile.cache.key";

enum class CacheUse {
    hit,      // the peers came from the cache
    written,  // loaded in full, cache (re)written
    none,     // loaded in full, no cache (too few peers, errors, unusable state dir, ...)
};

// load_file with the cache in `state_dir` (as --state-dir gives it), or
// else in the profile's [gateway].state_dir. The result equals load_file's
// but for the peers' field places (above).
LoadResult load_file_cached(const std::string& path, const std::optional<std::string>& state_dir,
                            CacheUse* use = nullptr);

// How long after its last change a profile file's stamp (size, times, inode)
// stands for its text (profile/peer_index.hpp).
inline constexpr std::chrono::seconds kStampSettle{2};

struct IndexedLoad {
    LoadResult loaded;
    // The profile's own peers, when loaded.profile->peers was left empty and
    // the index answers for them; null when it holds them all.
    std::shared_ptr<const DeclaredPeers> declared;
};

// load_file_cached for `peer add` and `peer remove`: when <state_dir>/profile.index
// was written for this profile (its file stamp, or else its text), the profile
// without its peers and the index instead of them, at a cost that does not
// grow with the peers; otherwise load_file_cached's result. `settle`: see
// FileStamp.
IndexedLoad load_file_indexed(const std::string& path, const std::optional<std::string>& state_dir,
                              std::chrono::nanoseconds settle = kStampSettle);

// The [gateway] table's state_dir as plainly written (`state_dir = "/x"`), or
// the default: where to look for the cache before the profile is parsed. The
// parse of the blanked text confirms it.
std::string state_dir_hint(std::string_view text);

// `text` with the given lines emptied (their newlines kept, so line and
// column numbers of the rest are unchanged); nullopt when a range lies past
// the end of the text or ranges overlap.
std::optional<std::string> blank_lines(std::string_view text, const std::vector<LineRange>& lines);

}  // namespace vpngw::profile
