#include "keys/keys.hpp"

#include <sodium.h>

namespace vpngw::keys {

namespace {

// sodium_init is idempotent and thread-safe; it fails only when the system
// cannot provide randomness, which must not be papered over.
Status ready() {
    if (sodium_init() < 0)
        return Error{"libsodium could not be initialised (no system randomness)"};
    return ok_status();
}

}  // namespace

void clamp(SecretKey& key) {
    std::uint8_t* k = key.data();
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

Result<SecretKey> generate_private_key() {
    if (auto s = ready(); !s) return s.error();
    SecretKey key;
    randombytes_buf(key.data(), SecretKey::size());
    clamp(key);
    return key;
}

Result<KeyPair> generate_key_pair() {
    auto priv = generate_private_key();
    if (!priv) return priv.error();
    KeyPair pair;
    pair.private_key = *priv;
    pair.public_key = public_from_private(pair.private_key);
    return pair;
}

Result<SecretKey> generate_preshared_key() {
    if (auto s = ready(); !s) return s.error();
    SecretKey key;
    randombytes_buf(key.data(), SecretKey::size());
    return key;
}

PublicKey public_from_private(const SecretKey& private_key) {
    // Selects the implementation; randomness (what could fail) is not needed here.
    [[maybe_unused]] int initialised = sodium_init();
    SecretKey clamped = private_key;
    clamp(clamped);
    PublicKey pub;
    // Fails only for an all-zero result, which a clamped scalar (bit 254 set)
    // times the prime-order base point cannot produce.
    (void)crypto_scalarmult_base(pub.bytes.data(), clamped.data());
    return pub;
}

}  // namespace vpngw::keys
