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
};

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
