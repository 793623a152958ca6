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

std::optional<PublicKey> PublicKey::from_base64(std::string_view text) {
    PublicKey k;
    if (!decode_key_base64(text, k.bytes)) return std::nullopt;
    return k;
}

std::string PublicKey::base64() const {
    return encode_key_base64(bytes.data());
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
