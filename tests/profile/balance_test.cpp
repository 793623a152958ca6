// Weighted egress lists and uplink health checks, read into the model.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/profile_text.hpp"

namespace vpngw::profile {
namespace {

using test::base_profile;
using test::errors_of;
using testing::IsEmpty;

const std::string kUplinks =
    "[[uplink]]\n"
    "name = \"wan0\"\n"
    "device = \"eth0\"\n"
    "gateway = \"203.0.113.1\"\n"
    "health = { probe = \"address\", target = \"9.9.9.9\", interval = 10, timeout = 2, "
    "fail_after = 4, recover_after = 3 }\n"
    "[[uplink]]\n"
    "name = \"wan1\"\n"
    "device = \"eth1\"\n"
    "gateway = \"198.51.100.1\"\n"
    "health = { probe = \"gateway\" }\n"
    "[[uplink]]\n"
    "name = \"wan2\"\n"
    "device = \"eth2\"\n";

model::Profile load(const std::string& text) {
    auto r = load_string(text, "t.toml");
    EXPECT_TRUE(r.profile) << testing::PrintToString(test::lines_of(r, Severity::error));
    return r.profile ? *r.profile : model::Profile{};
}

TEST(ProfileBalance, WeightedListFillsBalanceAndEgressNamesTheFirst) {
    const auto p = load(base_profile() + kUplinks +
                        "[[group]]\nname = \"staff\"\nsubnet = \"10.8.1.0/24\"\n"
                        "egress = [{ uplink = \"wan0\", weight = 3 }, { uplink = \"wan1\" }]\n");
    const auto& g = p.groups.at(0);
    ASSERT_EQ(g.balance.size(), 2u);
    EXPECT_EQ(g.balance[0].uplink, "wan0");
    EXPECT_EQ(g.balance[0].weight, 3u);
    EXPECT_EQ(g.balance[1].uplink, "wan1");
    EXPECT_EQ(g.balance[1].weight, 1u);  // the default
    EXPECT_EQ(g.egress, "wan0");
}

// `fallback` of a single-egress group: read in order, and checked against
// the uplinks once all are known.
TEST(ProfileFallback, ReadInOrderAndChecked) {
    const std::string group = "[[group]]\nname = \"staff\"\nsubnet = \"10.8.1.0/24\"\n";
    const auto p = load(base_profile() + kUplinks + group +
                        "egress = \"wan1\"\nfallback = [\"wan2\", \"main\"]\n");
    ASSERT_TRUE(p.groups.at(0).fallback.has_value());
    EXPECT_EQ(*p.groups.at(0).fallback, (std::vector<std::string>{"wan2", "main"}));
    EXPECT_FALSE(load(base_profile() + kUplinks + group + "egress = \"wan1\"\n")
                     .groups.at(0)
                     .fallback.has_value());
    auto errors = [&](const std::string& lines) {
        return errors_of(base_profile() + kUplinks + group + lines);
    };
    using testing::ElementsAre;
    using testing::HasSubstr;
    EXPECT_THAT(errors("egress = \"wan1\"\nfallback = [\"wan9\"]\n"),
                ElementsAre(HasSubstr("undefined uplink \"wan9\" in \"fallback\" of group")));
    EXPECT_THAT(errors("egress = \"wan1\"\nfallback = [\"wan1\"]\n"),
                ElementsAre(HasSubstr("lists its own egress \"wan1\"")));
    EXPECT_THAT(errors("egress = \"wan1\"\nfallback = [\"wan0\", \"wan0\"]\n"),
                ElementsAre(HasSubstr("\"wan0\" is listed twice")));
    EXPECT_THAT(errors("fallback = [\"wan0\"]\n"),
                ElementsAre(HasSubstr("needs an \"egress\"")));
    EXPECT_THAT(errors("egress = [{ uplink = \"wan0\" }, { uplink = \"wan1\" }]\n"
                       "fallback = [\"wan2\"]\n"),
                ElementsAre(HasSubstr("is for a single egress uplink")));
    // wan2 has no health check: a fallback from it is never used.
    EXPECT_THAT(test::warnings_of(base_profile() + kUplinks + group +
                                  "egress = \"wan2\"\nfallback = [\"wan0\"]\n"),
                testing::Contains(HasSubstr("is never used: its egress uplink \"wan2\" has no "
                                            "health check")));
}

TEST(ProfileBalance, OneEntryListIsAPlainEgress) {
    const auto p = load(base_profile() + kUplinks +
                        "[[group]]\nname = \"staff\"\nsubnet = \"10.8.1.0/24\"\n"
                        "egress = [{ uplink = \"wan1\", weight = 5 }]\n");
    EXPECT_THAT(p.groups.at(0).balance, IsEmpty());
    EXPECT_EQ(p.groups.at(0).egress, "wan1");
}

TEST(ProfileBalance, PlainStringStillWorks) {
    const auto p =
        load(base_profile() + kUplinks +
             "[[group]]\nname = \"staff\"\nsubnet = \"10.8.1.0/24\"\negress = \"wan2\"\n");
    EXPECT_THAT(p.groups.at(0).balance, IsEmpty());
    EXPECT_EQ(p.groups.at(0).egress, "wan2");
}

TEST(ProfileHealth, ValuesAndDefaults) {
    const auto p = load(base_profile() + kUplinks);
    ASSERT_TRUE(p.uplinks[0].health);
    const auto& a = *p.uplinks[0].health;
    EXPECT_EQ(a.probe, model::HealthCheck::Probe::address);
    EXPECT_EQ(a.target->str(), "9.9.9.9");
    EXPECT_EQ(a.interval, 10);
    EXPECT_EQ(a.timeout, 2);
    EXPECT_EQ(a.fail_after, 4);
    EXPECT_EQ(a.recover_after, 3);
    ASSERT_TRUE(p.uplinks[1].health);
    const auto& b = *p.uplinks[1].health;
    EXPECT_EQ(b.probe, model::HealthCheck::Probe::gateway);
    EXPECT_FALSE(b.target);
    EXPECT_EQ(b.interval, 5);
    EXPECT_EQ(b.timeout, 1);
    EXPECT_EQ(b.fail_after, 3);
    EXPECT_EQ(b.recover_after, 2);
    EXPECT_FALSE(p.uplinks[2].health);
}

TEST(ProfileHealth, WrongTypeIsReportedAtTheValue) {
    auto text = base_profile() +
                "[[uplink]]\n"          // 10
                "name = \"wan0\"\n"     // 11
                "device = \"eth0\"\n"   // 12
                "health = \"ping\"\n";  // 13
    EXPECT_THAT(errors_of(text),
                testing::ElementsAre("13:10: error: expected a table for \"health\", got string"));
}

}  // namespace
}  // namespace vpngw::profile
