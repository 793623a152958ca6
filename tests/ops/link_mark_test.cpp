// ops::LinkMark: the op that marks an existing link as vpngw's (adopting it),
// applied by exec like every other change and undone by its inverse.

#include <gtest/gtest.h>

#include "ops/diff.hpp"

namespace vpngw::ops {
namespace {

const Location kWhere{"vpngw.toml", 3, 1};

TEST(LinkMark, InversePutsTheOldAliasBack) {
    Op mark{LinkMark{"wg0", "vpngw", "office vpn"}, kWhere};
    Op undo = inverse(mark);
    ASSERT_TRUE(std::holds_alternative<LinkMark>(undo.payload));
    const auto& back = std::get<LinkMark>(undo.payload);
    EXPECT_EQ(back.name, "wg0");
    EXPECT_EQ(back.alias, "office vpn");
    EXPECT_EQ(back.before, "vpngw");
    EXPECT_EQ(undo.origin.str(), kWhere.str());
    // Undoing the undo marks the link again.
    const auto& again = std::get<LinkMark>(inverse(undo).payload);
    EXPECT_EQ(again.alias, "vpngw");
    EXPECT_EQ(again.before, "office vpn");
}

TEST(LinkMark, DescribedAndNamedLikeTheOtherOps) {
    Op mark{LinkMark{"wg0", "vpngw", ""}, {}};
    EXPECT_EQ(mark.describe(), "~ link wg0 alias \"vpngw\" (was \"\")");
    EXPECT_STREQ(mark.kind(), "link-mark");
    // The names of the earlier kinds did not move (journals and VPNGW_FAIL_AT use them).
    const Op last_before{NftElementsDelete{}, {}};
    const Op first{LinkCreate{}, {}};
    EXPECT_STREQ(last_before.kind(), "nft-element-delete");
    EXPECT_STREQ(first.kind(), "link-create");
}

}  // namespace
}  // namespace vpngw::ops
