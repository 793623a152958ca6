#pragma once

// Key material from disk. Private and preshared keys live in files (like
// wg-quick's PrivateKey= from a file), never in argv or the profile itself.

#include <string>

#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::wg {

// Reads a base64 key (what `wg genkey` / `wg genpsk` write), surrounding
// whitespace ignored. Errors name the file, never its content.
Result<SecretKey> read_key_file(const std::string& path);

}  // namespace vpngw::wg
