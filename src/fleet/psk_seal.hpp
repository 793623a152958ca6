#pragma once

// Preshared keys in the fleet's registry (docs/fleet.md "Preshared keys"):
// a peer's PSK travels in its etcd record sealed with the cluster secret, a
// 32-byte key every member holds as a 0600 file (provisioned like the
// WireGuard private key), never in clear text. The AEAD is libsodium's
// XChaCha20-Poly1305 (IETF) with a random 24-byte nonce; its associated data
// is the peer's name and public key, so a sealed value copied into another
// peer's record does not open.

#include <string>
#include <string_view>

#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

inline constexpr std::size_t kClusterSecretSize = 32;

// The cluster secret from `path`: exactly 32 bytes, a regular file not
// readable or writable by group or others. Errors name the file, never bytes.
Result<SecretKey> read_cluster_secret(const std::string& path);

// A new cluster secret at `path`, 32 random bytes, mode 0600, created
// atomically (written under a temporary name, then linked into place): an
// existing file is never overwritten, and no reader sees half of one.
Status create_cluster_secret(const std::string& path);

// base64(nonce || ciphertext || tag) of `psk`, bound to the peer.
Result<std::string> seal_psk(const SecretKey& secret, std::string_view peer,
                             const PublicKey& public_key, const SecretKey& psk);

// The PSK `sealed` holds. `where` names the record in errors (the etcd key):
// a value that is not what seal_psk wrote, was altered, belongs to another
// peer, or was sealed with another secret is refused.
Result<SecretKey> open_psk(const SecretKey& secret, std::string_view peer,
                           const PublicKey& public_key, std::string_view sealed,
                           std::string_view where);

}  // namespace vpngw::fleet
