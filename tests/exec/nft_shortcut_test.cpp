#include "exec/nft_shortcut.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vpngw::exec {
namespace {

NftShortcut sample() {
    NftShortcut s;
    s.boot_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    s.netns = 4026531840;
    s.genid = 4294967295u;
    s.desired = std::string(64, 'a');
    return s;
}

TEST(NftShortcut, RoundTrips) {
    auto decoded = decode_nft_shortcut(encode_nft_shortcut(sample()));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, sample());
}

// Each of these is a record vpngw never writes: it must cost the shortcut
// and nothing else (no crash, no partial record taken as valid).
TEST(NftShortcut, RejectsHostileRecords) {
    const std::string good = encode_nft_shortcut(sample());
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        auto at = s.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return s.replace(at, from.size(), to);
    };
    const std::string hostile[] = {
        "",
        "\n",
        good.substr(0, good.size() - 1),                           // no final newline
        good + "extra 1\n",                                        // a trailing field
        good + good,                                               // two records
        replaced("vpngw-nft-shortcut 1", "vpngw-nft-shortcut 2"),  // another version
        replaced("genid 4294967295", "genid 4294967296"),          // past 32 bits
        replaced("genid 4294967295", "genid -1"),
        replaced("genid 4294967295", "genid +1"),
        replaced("genid 4294967295", "genid 12x"),
        replaced("genid 4294967295", "genid "),
        replaced("genid 4294967295", "genid  1"),
        replaced("netns 4026531840", "netns 0"),
        replaced("netns 4026531840", "netns 99999999999999999999999"),
        replaced("boot 0f1e", "boot 0F1E"),  // not the kernel's spelling
        replaced("boot 0f1e2d3c-", "boot 0f1e2d3cx"),
        replaced(std::string(64, 'a'), std::string(63, 'a')),  // short digest
        replaced(std::string(64, 'a'), std::string(63, 'a') + "g"),
        replaced("desired ", "desired\t"),
        replaced("boot", "netns"),  // fields out of order
        replaced("\ngenid", "\r\ngenid"),
        std::string("vpngw-nft-shortcut 1\0boot", 25),
        good + std::string(2000, 'x'),  // oversized
    };
    for (const auto& text : hostile)
        EXPECT_FALSE(decode_nft_shortcut(text)) << "accepted: " << text;
}

TEST(NftShortcut, DigestSeesEveryElementAndTheRulesetHash) {
    ops::Desired d;
    d.nft_hash = "abc";
    d.nft_elements.push_back({"peers4", *IpAddress::parse("10.0.0.2"), {}});
    d.nft_elements.push_back({"peers6", *IpAddress::parse("fd00::2"), {}});
    const std::string base = nft_desired_digest(d);
    EXPECT_EQ(base.size(), 64u);
    EXPECT_EQ(base, nft_desired_digest(d));

    ops::Desired other = d;
    other.nft_hash = "abd";
    EXPECT_NE(nft_desired_digest(other), base);
    other = d;
    other.nft_elements[0].key = *IpAddress::parse("10.0.0.3");
    EXPECT_NE(nft_desired_digest(other), base);
    other = d;
    other.nft_elements[1].map = "peers4";
    EXPECT_NE(nft_desired_digest(other), base);
    other = d;
    other.nft_elements.pop_back();
    EXPECT_NE(nft_desired_digest(other), base);
}

}  // namespace
}  // namespace vpngw::exec
