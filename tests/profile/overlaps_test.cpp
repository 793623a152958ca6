// The subnet-overlap check: one diagnostic per offending subnet, naming the
// earliest group it overlaps (1,000 groups with one subnet used to give
// 500,000 errors), and the sweep behind it agrees with comparing every pair.

#include "profile/overlaps.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "support/profile_text.hpp"
#include "util/repeats.hpp"

namespace vpngw::profile {
namespace {

using testing::ElementsAre;

// The check as it was: every pair, the lowest earlier index that overlaps.
std::vector<std::size_t> by_every_pair(const std::vector<Prefix>& prefixes) {
    std::vector<std::size_t> out(prefixes.size(), kNoRepeat);
    for (std::size_t j = 0; j < prefixes.size(); ++j)
        for (std::size_t i = 0; i < j; ++i)
            if (prefixes[i].network().overlaps(prefixes[j].network())) {
                out[j] = i;
                break;
            }
    return out;
}

TEST(Overlaps, SweepAgreesWithEveryPairOnRandomPrefixes) {
    std::mt19937 rng(16);
    for (int round = 0; round < 200; ++round) {
        std::vector<Prefix> prefixes;
        const int n = 1 + static_cast<int>(rng() % 40);
        for (int k = 0; k < n; ++k) {
            // A small address space and short prefixes make overlaps common;
            // both families mixed, since they must never overlap each other.
            Prefix p;
            if (rng() % 4 == 0) {
                p.addr.family = Family::v6;
                p.addr.bytes[0] = 0xfd;
                p.addr.bytes[1] = static_cast<std::uint8_t>(rng() % 4);
                p.len = 8 + static_cast<int>(rng() % 9);
            } else {
                p.addr = IpAddress::v4(0x0a000000u | (rng() & 0xff) << 8 | (rng() & 0xff));
                p.len = 16 + static_cast<int>(rng() % 17);
            }
            prefixes.push_back(p);
        }
        ASSERT_EQ(earliest_overlaps(prefixes), by_every_pair(prefixes)) << "round " << round;
    }
}

TEST(Overlaps, ContainedEarlierPrefixIsFoundFromTheContainer) {
    const std::vector<Prefix> p = {*Prefix::parse("10.8.2.0/24"), *Prefix::parse("10.9.0.0/16"),
                                   *Prefix::parse("10.8.0.0/16"), *Prefix::parse("10.8.2.0/24")};
    EXPECT_THAT(earliest_overlaps(p), ElementsAre(kNoRepeat, kNoRepeat, 0u, 0u));
}

TEST(Overlaps, ThousandGroupsWithOneSubnetGiveOneErrorEach) {
    std::string text = test::base_profile();
    for (int g = 0; g < 1000; ++g)
        text += "[[group]]\nname = \"g" + std::to_string(g) + "\"\nsubnet = \"10.8.1.0/24\"\n";
    const auto errors = test::errors_of(text);
    EXPECT_EQ(errors.size(), 999u);
    ASSERT_FALSE(errors.empty());
    // Group g1 starts on line 13, its subnet on line 15; all name the first.
    EXPECT_EQ(errors.front(),
              "15:10: error: subnet 10.8.1.0/24 of group \"g1\" overlaps subnet 10.8.1.0/24 of "
              "group \"g0\" (line 12)");
    for (const auto& e : errors) EXPECT_THAT(e, testing::EndsWith("of group \"g0\" (line 12)"));
}

TEST(Overlaps, NestedSubnetsNameTheEarliestOverlap) {
    const std::string text = test::base_profile() +
                             "[[group]]\nname = \"a\"\nsubnet = \"10.8.1.0/24\"\n"   // 10-12
                             "[[group]]\nname = \"b\"\nsubnet = \"10.8.2.0/24\"\n"   // 13-15
                             "[[group]]\nname = \"c\"\nsubnet = \"10.8.0.0/20\"\n"   // 16-18
                             "[[group]]\nname = \"d\"\nsubnet = \"10.8.2.0/25\"\n";  // 19-21
    EXPECT_THAT(test::errors_of(text),
                ElementsAre("18:10: error: subnet 10.8.0.0/20 of group \"c\" overlaps subnet "
                            "10.8.1.0/24 of group \"a\" (line 12)",
                            "21:10: error: subnet 10.8.2.0/25 of group \"d\" overlaps subnet "
                            "10.8.2.0/24 of group \"b\" (line 15)"));
}

}  // namespace
}  // namespace vpngw::profile
