// Failover of single-egress groups (plan/balance.hpp): where a group's new
// connections go when the monitor finds its egress uplink down, and the
// egress map elements and monitor update that say so.

#include <gtest/gtest.h>

#include "plan/balance.hpp"

namespace vpngw::plan {
namespace {

using V = std::vector<std::string>;

// Uplinks wan0 (0x51001, IPv4 and IPv6), wan1 (0x51002, IPv4 only) and
// wan2 (0x51003, IPv4), wan1 health-checked; group office egresses by wan1.
model::Profile office(std::optional<std::vector<std::string>> fallback = std::nullopt) {
    model::Profile p;
    const char* names[] = {"wan0", "wan1", "wan2"};
    for (std::uint32_t i = 0; i < 3; ++i) {
        model::Uplink u;
        u.name = names[i];
        u.device = "eth" + std::to_string(i);
        u.fwmark = 0x51001 + i;
        u.gateway = IpAddress::parse("192.0.2." + std::to_string(i + 1));
        p.uplinks.push_back(u);
    }
    p.uplinks[0].gateway6 = IpAddress::parse("2001:db8::1");
    p.uplinks[1].health = model::HealthCheck{};
    model::Group g;
    g.name = "office";
    g.subnet = Prefix::parse("10.8.1.0/24");
    g.subnet6 = Prefix::parse("fd08:0:0:1::/64");
    g.egress = "wan1";
    g.fallback = fallback;
    p.groups.push_back(g);
    return p;
}

std::string where(const model::Profile& p, std::set<std::string> down, Family f = Family::v4) {
    return effective_egress(p, p.groups[0], f, down);
}

TEST(EgressFailover, StaysWhileTheEgressIsUp) {
    EXPECT_EQ(where(office(), {}), "wan1");
    EXPECT_EQ(where(office(), {"wan0"}), "wan1");
    EXPECT_EQ(egress_elements(office(), Family::v4, {}, {}), (V{"10.8.1.0/24 : 0x00051002"}));
}

TEST(EgressFailover, ByDefaultTheFirstHealthyUplinkWithARouteOfTheFamily) {
    EXPECT_EQ(where(office(), {"wan1"}), "wan0");
    EXPECT_EQ(where(office(), {"wan1", "wan0"}), "wan2");
    // IPv6: only wan0 has an IPv6 next hop.
    EXPECT_EQ(where(office(), {"wan1"}, Family::v6), "wan0");
    EXPECT_EQ(where(office(), {"wan1", "wan0"}, Family::v6), "wan1");
    EXPECT_EQ(egress_elements(office(), Family::v4, {"wan1"}, {}), (V{"10.8.1.0/24 : 0x00051001"}));
}

TEST(EgressFailover, NetworksBehindTheGroupsPeersMoveWithIt) {
    const GroupNetworks nets{{"office", {*Prefix::parse("192.168.50.0/24")}}};
    EXPECT_EQ(egress_elements(office(), Family::v4, {"wan1"}, nets),
              (V{"10.8.1.0/24 : 0x00051001", "192.168.50.0/24 : 0x00051001"}));
    auto p = office();
    model::Peer branch;
    branch.group = "office";
    branch.networks = {*Prefix::parse("192.168.50.0/24")};
    p.peers.push_back(branch);
    EXPECT_EQ(profile_group_networks(p), nets);
    p.peers[0].disabled = true;
    EXPECT_TRUE(profile_group_networks(p).empty());
}

TEST(EgressFailover, TheFallbackListIsTriedInOrderAndMainMeansNoMark) {
    const auto p = office(std::vector<std::string>{"wan2", "main"});
    EXPECT_EQ(where(p, {"wan1"}), "wan2");
    EXPECT_EQ(where(p, {"wan1", "wan2"}), "main");
    // The main table: the group's subnet leaves the map (mark 0).
    EXPECT_EQ(egress_elements(p, Family::v4, {"wan1", "wan2"}, {}), V{});
}

TEST(EgressFailover, NothingHealthyOrAnEmptyListKeepsTheEgress) {
    EXPECT_EQ(where(office(), {"wan0", "wan1", "wan2"}), "wan1");
    EXPECT_EQ(where(office(std::vector<std::string>{}), {"wan1"}), "wan1");
}

TEST(EgressFailover, TheMonitorRewritesTheEgressMapsOnlyWhenAnEgressIsProbed) {
    const auto p = office();
    EXPECT_TRUE(egress_fails_over(p));
    EXPECT_EQ(render_balance_update(p, {"wan1"}),
              "flush map inet vpngw egress4\n"
              "add element inet vpngw egress4 { 10.8.1.0/24 : 0x00051001 }\n"
              "flush map inet vpngw egress6\n"
              "add element inet vpngw egress6 { fd08:0:0:1::/64 : 0x00051001 }\n");
    auto unprobed = office();
    unprobed.uplinks[1].health.reset();
    EXPECT_FALSE(egress_fails_over(unprobed));
    EXPECT_EQ(render_balance_update(unprobed, {}), "");
}

}  // namespace
}  // namespace vpngw::plan
