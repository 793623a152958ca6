#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpngw {

// A WireGuard public key: 32 bytes, written as 44 characters of standard base64.
struct PublicKey {
    std::array<std::uint8_t, 32> bytes{};

    static std::optional<PublicKey> from_base64(std::string_view text);
    std::string base64() const;
    auto operator<=>(const PublicKey&) const = default;

    // The first eight bytes as a big-endian integer. Keys with different
    // prefixes order as their prefixes do, so sorting 50,000 random keys
    // compares integers and calls memcmp only on a tie (see key_less).
    std::uint64_t prefix() const {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = v << 8 | bytes[static_cast<std::size_t>(i)];
        return v;
    }
};

// Random public keys differ in every byte: the first eight hash them well.
struct PublicKeyHash {
    std::size_t operator()(const PublicKey& k) const {
        return static_cast<std::size_t>(k.prefix());
    }
};

// operator< of two keys whose prefix() are given: the same order, faster.
inline bool key_less(std::uint64_t prefix_a, const PublicKey& a, std::uint64_t prefix_b,
                     const PublicKey& b) {
    return prefix_a != prefix_b ? prefix_a < prefix_b : a < b;
}

// A private or preshared key. Zeroed when destroyed or overwritten so key
// material does not linger in freed memory; it has no operator<< on purpose.
class SecretKey {
  public:
    SecretKey() = default;
    ~SecretKey();
    SecretKey(const SecretKey& other);
    SecretKey& operator=(const SecretKey& other);

    static std::optional<SecretKey> from_base64(std::string_view text);
    std::string base64() const;  // the caller owns zeroing the string it writes
    const std::uint8_t* data() const { return bytes_.data(); }
    std::uint8_t* data() { return bytes_.data(); }
    static constexpr std::size_t size() { return 32; }
    bool operator==(const SecretKey& other) const;

  private:
    std::array<std::uint8_t, 32> bytes_{};
};

// Decodes standard base64 of exactly 32 bytes (44 characters with one '=').
bool decode_key_base64(std::string_view text, std::array<std::uint8_t, 32>& out);
std::string encode_key_base64(const std::uint8_t* bytes);

// Overwrites a string that held secret text before it is released.
void wipe(std::string& s);

}  // namespace vpngw
