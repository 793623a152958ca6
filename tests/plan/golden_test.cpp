// Golden tests over the profiles built in fixtures.cpp. The example profiles
// in profiles/*.toml are covered by profile_golden_test.cpp.

#include "golden.hpp"

#include <gtest/gtest.h>

#include "plan/desired.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/render.hpp"
#include "support/fixtures.hpp"

namespace vpngw::plan::testing {
namespace {

class BuiltProfileGolden : public ::testing::TestWithParam<std::string> {};

model::Profile profile_named(const std::string& name) {
    for (auto& [n, p] : fixture_profiles())
        if (n == name) return p;
    ADD_FAILURE() << "no fixture " << name;
    return {};
}

TEST_P(BuiltProfileGolden, PlanAndRuleset) {
    const auto p = profile_named(GetParam());
    expect_golden(GetParam() + ".plan", render_state(desired_state(p)));
    expect_golden(GetParam() + ".nft", render_nft_ruleset(p));
}

std::vector<std::string> names() {
    std::vector<std::string> out;
    for (const auto& [n, p] : fixture_profiles()) out.push_back(n);
    return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BuiltProfileGolden, ::testing::ValuesIn(names()),
                         [](const auto& info) {
                             std::string s = info.param;
                             for (char& c : s)
                                 if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                             return s;
                         });

TEST(LineDiff, ShowsChangedLinesWithContext) {
    EXPECT_EQ(line_diff("a\nb\n", "a\nb\n"), "");
    EXPECT_EQ(line_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nX\ne\nf\n"),
              "--- golden\n+++ actual\n@@ golden line 2 @@\n b\n c\n-d\n+X\n e\n f\n");
}

}  // namespace
}  // namespace vpngw::plan::testing
