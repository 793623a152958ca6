#pragma once

// The secret files of a peer added with `vpngw peer add` (the peer itself is
// in the registry, src/registry): its client config and preshared key.

#include <string>

#include "store/state_paths.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::store {

// clients/<name>.conf, 0600, atomically; the directory is created 0700.
Status write_client_config(const StatePaths& paths, const std::string& peer_name,
                           const SecretText& config);

// psk/<name>.psk, 0600, atomically: base64 and "\n".
Status write_psk(const StatePaths& paths, const std::string& peer_name, const SecretKey& psk);
Result<SecretKey> read_psk(const StatePaths& paths, const std::string& peer_name);

// Removes clients/<name>.conf and psk/<name>.psk; missing files are fine.
Status remove_peer_files(const StatePaths& paths, const std::string& peer_name);

// Renames both files of `from` to `to` (missing ones are fine).
Status rename_peer_files(const StatePaths& paths, const std::string& from, const std::string& to);

}  // namespace vpngw::store
