#include "exec/nft_listing.hpp"

#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "nft/observe.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::exec {

Result<std::optional<std::string>> live_nft_fingerprint() {
    auto listing = nft::owned_table_skeleton();
    if (!listing) return listing.error();
    if (!*listing) return std::optional<std::string>{};
    const std::string& text = **listing;
    // The same hash as the ruleset comment (plan/ruleset_hash.cpp), at full length.
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), nullptr, 0);
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return std::optional<std::string>(hex);
}

Status record_nft_fingerprint(const std::string& file) {
    auto fingerprint = live_nft_fingerprint();
    if (!fingerprint) return fingerprint.error();
    if (!*fingerprint) {
        if (::unlink(file.c_str()) != 0 && errno != ENOENT)
            return Error{"removing " + file + ": " + std::strerror(errno)};
        return ok_status();
    }
    return store::atomic_write_file(file, **fingerprint + "\n", 0600);
}

}  // namespace vpngw::exec
