#pragma once

// WireGuard keys: Curve25519 private keys clamped the way WireGuard clamps
// them, their public keys, and preshared keys. Randomness comes from
// libsodium's randombytes_buf (getrandom(2) underneath).

#include "util/key.hpp"
#include "util/result.hpp"

namespace vpngw::keys {

struct KeyPair {
    SecretKey private_key;
    PublicKey public_key;
};

// A fresh private key, already clamped (what `wg genkey` prints).
Result<SecretKey> generate_private_key();

// A fresh private key and its public key.
Result<KeyPair> generate_key_pair();

// 32 random bytes for the optional symmetric PresharedKey (what `wg genpsk` prints).
Result<SecretKey> generate_preshared_key();

// The public key of a private key, as `wg pubkey` computes it: the key is
// clamped first, so an unclamped key gives the same result as its clamped form.
PublicKey public_from_private(const SecretKey& private_key);

// Applies WireGuard's Curve25519 clamping in place.
void clamp(SecretKey& key);

}  // namespace vpngw::keys
