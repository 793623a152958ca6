// PublicKey's base64 is written without libsodium (public keys need no
// constant time): it must read and write exactly what sodium does, and refuse
// what sodium refuses.

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>

#include "util/key.hpp"

namespace vpngw {
namespace {

std::string sodium_encode(const std::array<std::uint8_t, 32>& b) {
    char buf[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(buf, sizeof buf, b.data(), b.size(), sodium_base64_VARIANT_ORIGINAL);
    return buf;
}

bool sodium_accepts(std::string_view text) {
    std::array<std::uint8_t, 32> out{};
    std::size_t len = 0;
    const char* end = nullptr;
    return text.size() == 44 &&
           sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           len == 32 && end == text.data() + text.size();
}

TEST(PublicKeyBase64, RoundTripsAsSodiumWritesIt) {
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        PublicKey k;
        for (auto& b : k.bytes) b = static_cast<std::uint8_t>(rng());
        if (i == 0) k.bytes.fill(0);
        if (i == 1) k.bytes.fill(0xff);
        const std::string text = k.base64();
        ASSERT_EQ(text, sodium_encode(k.bytes));
        auto back = PublicKey::from_base64(text);
        ASSERT_TRUE(back.has_value()) << text;
        EXPECT_EQ(*back, k);
    }
}

TEST(PublicKeyBase64, RefusesWhatSodiumRefuses) {
    const std::string good = "8OtNTlw2kG/lKUmgucFPM4xvqrgTeTZPEEORzjrVORM=";
    ASSERT_TRUE(PublicKey::from_base64(good).has_value());
    std::vector<std::string> bad = {
        "",
        good.substr(0, 43),         // no padding
        good + "=",                 // too long
        good.substr(0, 42) + "N=",  // spare bits set (M -> N)
        good.substr(0, 42) + "==",  // 31 bytes
        "-" + good.substr(1),       // URL-safe alphabet
        good.substr(0, 10) + " " + good.substr(11),
        good.substr(0, 43) + "A",  // no '=' at the end
        std::string("\0", 1) + good.substr(1),
    };
    for (const auto& b : bad) {
        EXPECT_FALSE(PublicKey::from_base64(b).has_value()) << b;
        EXPECT_FALSE(sodium_accepts(b)) << "the test's own case must be one sodium refuses: " << b;
    }
    // Every ASCII last character: accepted exactly when sodium accepts it.
    for (int c = 0; c < 128; ++c) {
        std::string t = good.substr(0, 42) + static_cast<char>(c) + "=";
        EXPECT_EQ(PublicKey::from_base64(t).has_value(), sodium_accepts(t)) << c;
    }
    // Bytes above 0x7f are no base64 (libsodium's decoder happens to read
    // some of them as letters: refused here all the same).
    for (int c = 128; c < 256; ++c) {
        EXPECT_FALSE(PublicKey::from_base64(static_cast<char>(c) + good.substr(1)).has_value())
            << c;
        EXPECT_FALSE(
            PublicKey::from_base64(good.substr(0, 42) + static_cast<char>(c) + "=").has_value())
            << c;
    }
}

}  // namespace
}  // namespace vpngw
