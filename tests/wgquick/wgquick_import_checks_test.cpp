// `vpngw import wg-quick` (issue 16 items 6, 10): every imported peer gets a
// valid, unique name, the same on every run, however often a comment name
// repeats (the de-duplication used to try -2, -3, ... again for each repeat:
// 93 s for 20,000 peers named alike); a peer with the all-zero public key is
// refused with the file and line.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "store/state_paths.hpp"
#include "wgquick/config.hpp"
#include "wgquick/translate.hpp"

namespace vpngw::wgquick {
namespace {

Config config_with_names(const std::vector<std::string>& names) {
    Config c;
    c.addresses.push_back(*Prefix::parse("10.0.0.1/8"));
    for (std::size_t i = 0; i < names.size(); ++i) {
        Peer p;
        p.comment_name = names[i];
        p.public_key.bytes[0] = static_cast<std::uint8_t>(i >> 16);
        p.public_key.bytes[1] = static_cast<std::uint8_t>(i >> 8);
        p.public_key.bytes[2] = static_cast<std::uint8_t>(i);
        p.public_key.bytes[31] = 1;
        p.allowed_ips.push_back(
            Prefix{IpAddress::v4(0x0a000002u + static_cast<std::uint32_t>(i)), 32});
        p.line = static_cast<int>(i) + 1;
        c.peers.push_back(std::move(p));
    }
    return c;
}

std::vector<std::string> imported_names(const std::vector<std::string>& names) {
    ImportOptions o{"wg0.conf", "wg0", "/var/lib/vpngw", "clients"};
    std::vector<std::string> out;
    for (const auto& p : translate(config_with_names(names), o).peers) out.push_back(p.name);
    return out;
}

TEST(WgQuickNames, RepeatsGetTheLowestFreeNumber) {
    // "same-3" is taken by a peer's own name before the third "same" needs it.
    EXPECT_EQ(imported_names({"same", "same", "same-3", "same", "", "peer6", "same"}),
              (std::vector<std::string>{"same", "same-2", "same-3", "same-4", "peer5", "peer6",
                                        "same-5"}));
}

TEST(WgQuickNames, LongNamesLoseTheirTailToTheSuffix) {
    EXPECT_EQ(imported_names(
                  {"abcdefghijklmno", "abcdefghijklmno", "abcdefghijklmnp", "abcdefghijklmnp"}),
              (std::vector<std::string>{"abcdefghijklmno", "abcdefghijklm-2", "abcdefghijklmnp",
                                        "abcdefghijklm-3"}));
}

TEST(WgQuickNames, ManyRepeatsAreUniqueValidAndDeterministic) {
    // Names that share their first 13 characters compete for the same
    // truncated candidates; plain repeats run past -9, -99, -999.
    std::vector<std::string> names;
    for (int i = 0; i < 3000; ++i) names.push_back("one-name");
    for (int i = 0; i < 2000; ++i)
        names.push_back("shared-prefix" + std::string(1, static_cast<char>('a' + i % 26)) +
                        std::string(1, static_cast<char>('a' + i / 26 % 26)));
    const auto first = imported_names(names);
    ASSERT_EQ(first.size(), names.size());
    std::set<std::string> unique(first.begin(), first.end());
    EXPECT_EQ(unique.size(), names.size());
    for (const auto& n : first) EXPECT_TRUE(store::is_valid_name(n)) << n;
    EXPECT_EQ(first[2999], "one-name-3000");
    EXPECT_EQ(imported_names(names), first);
}

TEST(WgQuickImport, AllZeroPublicKeyIsRefused) {
    const std::string text =
        "[Interface]\nAddress = 10.0.0.1/24\n\n[Peer]\n"
        "PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nAllowedIPs = 10.0.0.2/32\n";
    auto c = parse(text, "wg0.conf");
    ASSERT_FALSE(c.ok()) << "a peer with the all-zero key was imported";
    EXPECT_EQ(c.error().message.rfind("wg0.conf:5: ", 0), 0u) << c.error().message;
    EXPECT_NE(c.error().message.find("all-zero key"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace vpngw::wgquick
