#pragma once

// The all-zero public key ("AAAA...AAA=") belongs to no peer: it is the
// point X25519 maps every private key to nothing with, so a handshake with it
// derives a shared secret of zeros. wg(8) prints it for a peer whose key was
// never set; a profile, an import or `peer add` that names it is a mistake.

#include <algorithm>

#include "util/key.hpp"

namespace vpngw {

inline bool is_all_zero(const PublicKey& key) {
    return std::all_of(key.bytes.begin(), key.bytes.end(), [](auto b) { return b == 0; });
}

}  // namespace vpngw
