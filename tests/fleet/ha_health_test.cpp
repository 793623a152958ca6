// `vpngw cluster health`'s verdict (keepalived's track script) from what the
// kernel shows: each way a member can be unable to serve is named, and a
// member with everything in place is healthy. The kernel reading and the
// probe run for real in tests/fleet/failover.sh.

#include "fleet/ha_health.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ha_test_profile.hpp"

namespace vpngw::fleet {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

// ha_profile_text with a gateway, a table and a health check on the uplink.
const std::string kProfile = [] {
    std::string text = ha_profile_text();
    text.replace(text.find("device = \"eth0\"\n"), 15,
                 "device = \"eth0\"\ngateway = \"203.0.113.1\"\ntable = 200\n"
                 "health = { probe = \"gateway\", interval = 1, timeout = 1 }\n");
    return text;
}();

model::Profile load(const std::string& text) {
    return load_ha_profile(text);
}

state::Link link(const std::string& name, bool up = true) {
    state::Link l;
    l.name = name;
    l.up = up;
    return l;
}

// Everything a healthy member shows.
HealthFacts healthy() {
    HealthFacts f;
    f.links = {link("lo"), link("eth0"), link("wg0")};
    state::Route r;
    r.table = 200;
    r.dst = *Prefix::parse("0.0.0.0/0");
    r.via = IpAddress::parse("203.0.113.1");
    r.dev = "eth0";
    f.routes = {r};
    f.probe = ok_status();
    return f;
}

TEST(HaHealth, EverythingInPlaceIsHealthy) {
    auto v = judge_health(load(kProfile), healthy());
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_THAT(*v, IsEmpty());
}

TEST(HaHealth, AMissingWireGuardInterfaceIsNamed) {
    auto f = healthy();
    f.links.pop_back();  // wireguard-go died and took wg0 with it
    auto v = judge_health(load(kProfile), f);
    ASSERT_TRUE(v);
    EXPECT_THAT(*v, ElementsAre("WireGuard interface wg0 is missing"));
}

TEST(HaHealth, ADownUplinkDeviceIsNamed) {
    auto f = healthy();
    f.links[1].up = false;
    auto v = judge_health(load(kProfile), f);
    ASSERT_TRUE(v);
    EXPECT_THAT(*v, ElementsAre("uplink device eth0 is down"));
}

TEST(HaHealth, TheUplinkTableWithoutItsDefaultRouteIsNamed) {
    auto f = healthy();
    f.routes.front().table = 254;  // the route exists, but in main
    auto v = judge_health(load(kProfile), f);
    ASSERT_TRUE(v);
    ASSERT_EQ(v->size(), 1u);
    EXPECT_THAT(v->front(), HasSubstr("uplink wan's table 200 lacks"));
    EXPECT_THAT(v->front(), HasSubstr("203.0.113.1"));
}

TEST(HaHealth, AFailedProbeIsNamedWithItsReason) {
    auto f = healthy();
    f.probe = Status(Error{"no reply from 203.0.113.1 within 1000 ms"});
    auto v = judge_health(load(kProfile), f);
    ASSERT_TRUE(v);
    EXPECT_THAT(*v, ElementsAre("uplink wan probe failed: no reply from 203.0.113.1 within "
                                "1000 ms"));
}

TEST(HaHealth, WithoutVrrpThereIsNothingToJudge) {
    std::string text = kProfile;
    text.erase(text.find("vrrp = "));  // and the sync line after it
    auto v = judge_health(load(text), healthy());
    ASSERT_FALSE(v);
    EXPECT_THAT(v.error().message, HasSubstr("no [cluster.vrrp]"));
}

}  // namespace
}  // namespace vpngw::fleet
