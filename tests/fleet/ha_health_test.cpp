// `vpngw cluster health`'s verdict (keepalived's track script) from what the
// kernel shows: each way a member can be unable to serve is named, and a
// member with everything in place is healthy. The kernel reading and the
// probe run for real in tests/fleet/failover.sh.

#include "fleet/ha_health.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "profile/loader.hpp"

namespace vpngw::fleet {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

const char* kProfile =
    "[gateway]\nname = \"gw\"\nendpoint = \"203.0.113.10:51820\"\n"
    "[[interface]]\nname = \"wg0\"\naddress = [\"10.8.0.1/16\"]\n"
    "[[uplink]]\nname = \"wan\"\ndevice = \"eth0\"\ngateway = \"203.0.113.1\"\ntable = 200\n"
    "health = { probe = \"gateway\", interval = 1, timeout = 1 }\n"
    "[firewall]\nmanagement = { allow = [\"198.51.100.7/32\"] }\n"
    "[cluster]\nnode = \"gw-a\"\netcd = [\"https://10.9.0.1:2379\"]\n"
    "etcd_ca = \"/etc/vpngw/ca.pem\"\n"
    "vrrp = { uplink = \"wan\", address = \"203.0.113.10/24\", router_id = 51 }\n";

model::Profile load(const std::string& text) {
    auto r = profile::load_string(text, "/etc/vpngw/gw.toml");
    if (!r.profile) throw std::runtime_error(r.diagnostics.all().front().message);
    return *r.profile;
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
    text.erase(text.find("vrrp = "));
    auto v = judge_health(load(text), healthy());
    ASSERT_FALSE(v);
    EXPECT_THAT(v.error().message, HasSubstr("no [cluster.vrrp]"));
}

}  // namespace
}  // namespace vpngw::fleet
