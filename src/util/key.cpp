#include "util/key.hpp"

#include <sodium.h>

namespace vpngw {

bool decode_key_base64(std::string_view text, std::array<std::uint8_t, 32>& out) {
    if (text.size() != 44 || text[43] != '=' || text[42] == '=') return false;
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return len == 32 && end == text.data() + text.size();
}

std::string encode_key_base64(const std::uint8_t* bytes) {
    char buf[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(buf, sizeof buf, bytes, 32, sodium_base64_VARIANT_ORIGINAL);
    return buf;
}

namespace {

// Public keys are no secret, so they skip libsodium's constant-time base64:
// `peer list` and `status` at 50,000 peers decode every stored key and
// encode it again for the output. The same text is accepted: 43 characters
// of the standard alphabet, then '=', the last character's two spare bits
// zero (as sodium_base642bin checks them).
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> kValues = [] {
    std::array<std::int8_t, 256> v{};
    v.fill(-1);
    for (int i = 0; i < 64; ++i)
        v[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return v;
}();

bool decode_public_base64(std::string_view text, std::array<std::uint8_t, 32>& out) {
    if (text.size() != 44 || text[43] != '=') return false;
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < 43; ++i) {
        const int v = kValues[static_cast<unsigned char>(text[i])];
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = static_cast<std::uint8_t>(acc >> bits);
        }
    }
    return (acc & ((1u << bits) - 1)) == 0;  // 2 spare bits after 32 bytes
}

std::string encode_public_base64(const std::uint8_t* b) {
    std::string out(44, '=');
    std::size_t o = 0;
    for (std::size_t i = 0; i + 3 <= 30; i += 3) {  // 30 bytes: 10 groups of 4
        const std::uint32_t v = std::uint32_t{b[i]} << 16 | std::uint32_t{b[i + 1]} << 8 | b[i + 2];
        out[o++] = kAlphabet[v >> 18];
        out[o++] = kAlphabet[(v >> 12) & 63];
        out[o++] = kAlphabet[(v >> 6) & 63];
        out[o++] = kAlphabet[v & 63];
    }
    const std::uint32_t v = std::uint32_t{b[30]} << 16 | std::uint32_t{b[31]} << 8;
    out[o++] = kAlphabet[v >> 18];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    return out;
}

}  // namespace

std::optional<PublicKey> PublicKey::from_base64(std::string_view text) {
    PublicKey k;
    if (!decode_public_base64(text, k.bytes)) return std::nullopt;
    return k;
}

std::string PublicKey::base64() const {
    return encode_public_base64(bytes.data());
}

SecretKey::~SecretKey() {
    sodium_memzero(bytes_.data(), bytes_.size());
}

SecretKey::SecretKey(const SecretKey& other) : bytes_(other.bytes_) {}

SecretKey& SecretKey::operator=(const SecretKey& other) {
    bytes_ = other.bytes_;
    return *this;
}

std::optional<SecretKey> SecretKey::from_base64(std::string_view text) {
    SecretKey k;
    if (!decode_key_base64(text, k.bytes_)) return std::nullopt;
    return k;
}

std::string SecretKey::base64() const {
    return encode_key_base64(bytes_.data());
}

bool SecretKey::operator==(const SecretKey& other) const {
    return sodium_memcmp(bytes_.data(), other.bytes_.data(), bytes_.size()) == 0;
}

void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

}  // namespace vpngw
