// Splitting the peer map elements out of a rendered ruleset (pure, no root).

#include "nft/write/new_table.hpp"

#include <gtest/gtest.h>

namespace vpngw::nft {
namespace {

// The shape plan/nft_sets.cpp renders: peer maps one element per line.
const std::string kRuleset =
    "add table inet vpngw\n"
    "delete table inet vpngw\n\n"
    "table inet vpngw {\n"
    "\tcomment \"vpngw:00\"\n"
    "\tmap egress4 {\n\t\ttype ipv4_addr : mark\n\t\tflags interval\n"
    "\t\telements = { 10.0.0.0/24 : 0x00000100 }\n\t}\n\n"
    "\tmap peers4 {\n\t\ttype ipv4_addr : verdict\n\t\telements = {\n"
    "\t\t\t10.0.0.2 : jump grp_staff,\n"
    "\t\t\t10.0.0.3 : jump grp_guests,\n"
    "\t\t\t10.0.0.4 : jump grp_staff\n"
    "\t\t}\n\t}\n\n"
    "\tmap peers6 {\n\t\ttype ipv6_addr : verdict\n\t\telements = {\n"
    "\t\t\tfd00::2 : jump grp_staff\n"
    "\t\t}\n\t}\n\n"
    "\tchain forward {\n\t\tiifname \"wg0\" ip saddr vmap @peers4\n\t}\n"
    "}\n";

std::vector<ElementChange> all(const SplitRuleset& split, std::size_t chunk, int* calls) {
    std::vector<ElementChange> out;
    for (const auto& b : split.blocks) {
        auto st = for_each_element_chunk(b, chunk, [&](std::vector<ElementChange>& c) {
            ++*calls;
            EXPECT_LE(c.size(), chunk);
            out.insert(out.end(), c.begin(), c.end());
            return ok_status();
        });
        EXPECT_TRUE(st) << st.error().message;
    }
    return out;
}

TEST(SplitPeerElements, EmptiesThePeerMapsAndKeepsTheRest) {
    auto split = split_peer_elements(kRuleset);
    ASSERT_TRUE(split);
    EXPECT_EQ(split->base.find("jump grp_"), std::string::npos) << split->base;
    EXPECT_NE(split->base.find("\tmap peers4 {\n\t\ttype ipv4_addr : verdict\n\t}\n"),
              std::string::npos)
        << split->base;
    EXPECT_NE(split->base.find("\tmap peers6 {\n\t\ttype ipv6_addr : verdict\n\t}\n"),
              std::string::npos);
    EXPECT_NE(split->base.find("elements = { 10.0.0.0/24 : 0x00000100 }"), std::string::npos);
    EXPECT_NE(split->base.find("vmap @peers4"), std::string::npos);
    EXPECT_EQ(split->base.size() + split->blocks[0].lines.size() + split->blocks[1].lines.size() +
                  2 * (15 + 4),
              kRuleset.size());

    int calls = 0;
    auto elements = all(*split, 2, &calls);
    EXPECT_EQ(calls, 3);  // peers4 in chunks of 2 and 1, peers6 in one
    ASSERT_EQ(elements.size(), 4u);
    EXPECT_EQ(elements[0].set, "peers4");
    EXPECT_EQ(elements[0].key, *IpAddress::parse("10.0.0.2"));
    EXPECT_EQ(elements[0].jump_chain, "grp_staff");
    EXPECT_EQ(elements[1].jump_chain, "grp_guests");
    EXPECT_EQ(elements[3].set, "peers6");
    EXPECT_EQ(elements[3].key, *IpAddress::parse("fd00::2"));
    for (const auto& e : elements) EXPECT_EQ(e.op, ElementChange::Op::add);
}

// What plan/ renders now: plain peer sets, no verdict per element.
TEST(SplitPeerElements, PlainPeerSets) {
    const std::string text =
        "table inet vpngw {\n"
        "\tset peers4 {\n\t\ttype ipv4_addr\n\t\telements = {\n"
        "\t\t\t10.0.0.2,\n\t\t\t10.0.0.3\n\t\t}\n\t}\n\n"
        "\tset peers6 {\n\t\ttype ipv6_addr\n\t}\n\n"
        "\tchain forward {\n\t\tip saddr @peers4 ip saddr vmap { 10.0.0.0/24 : jump g }\n\t}\n"
        "}\n";
    auto split = split_peer_elements(text);
    ASSERT_TRUE(split);
    ASSERT_EQ(split->blocks.size(), 1u);  // peers6 is empty
    EXPECT_NE(split->base.find("\tset peers4 {\n\t\ttype ipv4_addr\n\t}\n"), std::string::npos)
        << split->base;
    EXPECT_NE(split->base.find("10.0.0.0/24 : jump g"), std::string::npos);
    int calls = 0;
    auto elements = all(*split, 10, &calls);
    ASSERT_EQ(elements.size(), 2u);
    EXPECT_EQ(elements[0].set, "peers4");
    EXPECT_EQ(elements[1].key, *IpAddress::parse("10.0.0.3"));
    EXPECT_EQ(elements[1].jump_chain, "");
}

TEST(SplitPeerElements, OtherTextsAreNotSplit) {
    EXPECT_FALSE(split_peer_elements(""));
    // No peer elements: nothing to gain.
    EXPECT_FALSE(
        split_peer_elements("table inet vpngw {\n\tmap peers4 {\n\t\ttype ipv4_addr : "
                            "verdict\n\t}\n}\n"));
    // An element block that never closes.
    EXPECT_FALSE(
        split_peer_elements("table inet vpngw {\n\tmap peers4 {\n\t\ttype ipv4_addr : "
                            "verdict\n\t\telements = {\n\t\t\t10.0.0.2 : jump a\n\t}\n}\n"));
}

TEST(SplitPeerElements, AnUnexpectedElementIsAnError) {
    auto split = split_peer_elements(
        "table inet vpngw {\n\tmap peers4 {\n\t\ttype ipv4_addr : verdict\n\t\telements = {\n"
        "\t\t\t10.0.0.2 : accept\n\t\t}\n\t}\n}\n");
    ASSERT_TRUE(split);
    auto st = for_each_element_chunk(split->blocks[0], 10,
                                     [](std::vector<ElementChange>&) { return ok_status(); });
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("10.0.0.2 : accept"), std::string::npos);
}

}  // namespace
}  // namespace vpngw::nft
