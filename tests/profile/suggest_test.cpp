#include "profile/suggest.hpp"

#include <gtest/gtest.h>

namespace vpngw::profile {
namespace {

TEST(EditDistance, CountsEditsAndAdjacentTranspositions) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("subnet", "subnet"), 0u);
    EXPECT_EQ(edit_distance("subent", "subnet"), 1u);  // transposition
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("egres", "egress"), 1u);
    EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // OSA, not full Damerau
}

TEST(Closest, SuggestsOnlyNearCandidates) {
    const std::vector<std::string> keys = {"name", "subnet", "subnet6", "egress", "allow"};
    EXPECT_EQ(closest("subent", keys), "subnet");
    EXPECT_EQ(closest("SUBNET", keys), "subnet");  // case is ignored
    EXPECT_EQ(closest("egrss", keys), "egress");
    EXPECT_EQ(closest("nmae", keys), "name");
    EXPECT_FALSE(closest("mtu", keys).has_value());
    EXPECT_FALSE(closest("completely_different", keys).has_value());
    EXPECT_FALSE(closest("", keys).has_value());
    EXPECT_FALSE(closest("name", keys).has_value());  // identical: nothing to suggest
}

TEST(Closest, PrefersTheNearestCandidate) {
    EXPECT_EQ(closest("egres", {"eggs", "egress"}), "egress");
    EXPECT_EQ(closest("wan2", {"wan0", "wan1", "lte"}), "wan0");  // first of equals
}

TEST(DidYouMean, FormatsTheHint) {
    EXPECT_EQ(did_you_mean("tcpp", {"tcp", "udp"}), "; did you mean \"tcp\"?");
    EXPECT_EQ(did_you_mean("xyz", {"tcp", "udp"}), "");
}

}  // namespace
}  // namespace vpngw::profile
