// Golden tests over the example profiles (profiles/*.toml) and the plan's
// own TOML fixtures (tests/plan/fixtures/*.toml), loaded by the real loader:
// golden/<name>.plan is `vpngw plan` output, golden/<name>.nft the ruleset.

#include <gtest/gtest.h>

#include <filesystem>

#include "golden.hpp"
#include "plan/desired.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/render.hpp"
#include "profile/loader.hpp"

namespace vpngw::plan::testing {
namespace {

struct Case {
    std::string name;  // golden file stem
    std::string path;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    const std::string root = VPNGW_SOURCE_DIR;
    auto add = [&](const std::string& dir, const std::string& prefix) {
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(dir))
            for (const auto& e : std::filesystem::directory_iterator(dir))
                if (e.path().extension() == ".toml") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) out.push_back({prefix + f.stem().string(), f.string()});
    };
    add(root + "/profiles", "");
    add(root + "/tests/plan/fixtures", "fixture-");
    return out;
}

// GoogleTest prints parameters of failed tests; a name reads better than bytes.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.path;
}

class ProfileGolden : public ::testing::TestWithParam<Case> {};

TEST_P(ProfileGolden, PlanAndRuleset) {
    const auto& c = GetParam();
    auto loaded = profile::load_file(c.path);
    std::string diagnostics;
    for (const auto& d : loaded.diagnostics.all()) diagnostics += d.str() + "\n";
    ASSERT_TRUE(loaded.profile.has_value()) << c.path << " does not load:\n" << diagnostics;
    const auto& p = *loaded.profile;
    auto checked = desired_state_checked(p);
    ASSERT_TRUE(checked.ok()) << checked.error().str();
    expect_golden(c.name + ".plan", render_state(*checked));
    expect_golden(c.name + ".nft", render_nft_ruleset(p));
}

INSTANTIATE_TEST_SUITE_P(Profiles, ProfileGolden, ::testing::ValuesIn(cases()),
                         [](const auto& info) {
                             std::string s = info.param.name;
                             for (char& ch : s)
                                 if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             return s;
                         });

TEST(ProfileGoldenFiles, ExampleProfilesExist) {
    std::size_t examples = 0;
    for (const auto& c : cases()) examples += c.name.rfind("fixture-", 0) != 0;
    EXPECT_GE(examples, 1u) << "no profiles/*.toml found under " << VPNGW_SOURCE_DIR;
}

}  // namespace
}  // namespace vpngw::plan::testing
