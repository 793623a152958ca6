// Every example profile in profiles/ loads without errors, and the facts the
// examples promise in their comments hold.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/profile_text.hpp"

namespace vpngw::profile {
namespace {

namespace fs = std::filesystem;

std::string example(const char* name) {
    return std::string(VPNGW_SOURCE_DIR) + "/profiles/" + name;
}

TEST(Examples, AllLoadWithoutErrorsOrWarnings) {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(std::string(VPNGW_SOURCE_DIR) + "/profiles")) {
        if (entry.path().extension() != ".toml") continue;
        ++count;
        auto r = load_file(entry.path().string());
        EXPECT_THAT(test::lines_of(r, Severity::error), testing::IsEmpty()) << entry.path();
        EXPECT_THAT(test::lines_of(r, Severity::warning), testing::IsEmpty()) << entry.path();
        EXPECT_TRUE(r.profile) << entry.path();
    }
    EXPECT_GE(count, 4);
}

TEST(Examples, VpsGateway) {
    auto r = load_file(example("vps-gateway.toml"));
    ASSERT_TRUE(r.profile);
    EXPECT_EQ(r.profile->uplinks.size(), 1u);
    EXPECT_EQ(r.profile->groups.at(0).interface, "wg0");
    EXPECT_EQ(r.profile->peers.size(), 2u);
}

TEST(Examples, MultiHomedAllocatesTablesAroundExplicitOnes) {
    auto r = load_file(example("multi-homed.toml"));
    ASSERT_TRUE(r.profile);
    const auto& u = r.profile->uplinks;
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[0].table, 51001u);
    EXPECT_EQ(u[0].fwmark, 0x51001u);
    EXPECT_EQ(u[0].nat, model::NatMode::snat);
    EXPECT_EQ(u[1].table, 200u);
    EXPECT_EQ(u[1].fwmark, 0x200u);
    EXPECT_EQ(u[1].nat, model::NatMode::masquerade);
    for (const auto& g : r.profile->groups) EXPECT_TRUE(g.egress) << g.name;
}

TEST(Examples, PortForward) {
    auto r = load_file(example("port-forward.toml"));
    ASSERT_TRUE(r.profile);
    ASSERT_EQ(r.profile->forwards.size(), 4u);
    for (const auto& f : r.profile->forwards) EXPECT_EQ(f.uplink, "wan");
    EXPECT_EQ(r.profile->forwards[2].to_port, 27015);
    EXPECT_EQ(r.profile->forwards[3].allow_from.size(), 1u);
}

TEST(Examples, DualStack) {
    auto r = load_file(example("dual-stack.toml"));
    ASSERT_TRUE(r.profile);
    EXPECT_TRUE(r.profile->uplinks.at(0).gateway6);
    EXPECT_TRUE(r.profile->groups.at(0).subnet6);
    EXPECT_FALSE(r.profile->groups.at(1).subnet);
    EXPECT_EQ(r.profile->gateway.endpoint->host, "2001:db8:1::10");
    EXPECT_FALSE(r.profile->forwards.at(0).to.is_v4());
}

}  // namespace
}  // namespace vpngw::profile
