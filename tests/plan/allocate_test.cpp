#include "plan/allocate.hpp"

#include <gtest/gtest.h>

#include "support/fixtures.hpp"

namespace vpngw::plan {
namespace {

using testing::ip;
using testing::pfx;

std::string alloc(const char* subnet, std::set<IpAddress> taken = {}, const char* group = "g") {
    auto r = allocate_address(pfx(subnet), taken, group);
    return r ? r->str() : "error: " + r.error().message;
}

TEST(Allocate, LowestFreeSkipsNetworkAddress) {
    EXPECT_EQ(alloc("10.8.1.0/24"), "10.8.1.1");
    EXPECT_EQ(alloc("fd08:0:0:1::/64"), "fd08:0:0:1::1");
}

TEST(Allocate, SkipsTakenAndReusesGaps) {
    EXPECT_EQ(alloc("10.8.1.0/24", {ip("10.8.1.1"), ip("10.8.1.2"), ip("10.8.1.4")}), "10.8.1.3");
    // A freed address (no longer in `taken`) is the lowest free one again.
    EXPECT_EQ(alloc("10.8.1.0/24", {ip("10.8.1.2"), ip("10.8.1.3")}), "10.8.1.1");
}

TEST(Allocate, IgnoresAddressesOutsideTheSubnet) {
    EXPECT_EQ(alloc("10.8.1.0/24", {ip("10.8.2.1"), ip("fd08::1"), ip("10.8.0.1")}), "10.8.1.1");
}

TEST(Allocate, NeverBroadcastAndFullSubnetIsAnError) {
    std::set<IpAddress> taken;
    for (int i = 1; i <= 253; ++i) taken.insert(ip(("10.8.1." + std::to_string(i)).c_str()));
    EXPECT_EQ(alloc("10.8.1.0/24", taken), "10.8.1.254");
    taken.insert(ip("10.8.1.254"));
    EXPECT_EQ(alloc("10.8.1.0/24", taken, "staff"),
              "error: subnet 10.8.1.0/24 of group \"staff\" is full (254 host addresses, all in "
              "use)");
}

TEST(Allocate, TinyPrefixes) {
    // A /30 has two hosts; a /31 uses both addresses (RFC 3021); a /32 one.
    EXPECT_EQ(alloc("10.0.0.0/30", {ip("10.0.0.1")}), "10.0.0.2");
    EXPECT_NE(alloc("10.0.0.0/30", {ip("10.0.0.1"), ip("10.0.0.2")}).find("full (2 host"),
              std::string::npos);
    EXPECT_EQ(alloc("10.0.0.0/31"), "10.0.0.0");
    EXPECT_EQ(alloc("10.0.0.0/31", {ip("10.0.0.0")}), "10.0.0.1");
    EXPECT_EQ(alloc("10.0.0.7/32"), "10.0.0.7");
    // IPv6 never hands out the subnet-router anycast address; a /128 nothing.
    EXPECT_EQ(alloc("fd00::/127"), "fd00::1");
    EXPECT_NE(alloc("fd00::/128").find("full (0 host"), std::string::npos);
}

TEST(Allocate, WideIpv6SubnetsUseTheLowOffsets) {
    EXPECT_EQ(alloc("fd08::/48", {ip("fd08::1"), ip("fd08:0:0:1::2")}), "fd08::2");
    AddressPool pool(pfx("fd08::/48"));
    EXPECT_EQ(pool.offset_of(ip("fd08::5")), 5u);
    EXPECT_EQ(pool.offset_of(ip("fd08:0:0:1::5")), std::nullopt);  // beyond 2^64
    EXPECT_EQ(pool.offset_of(ip("fd09::5")), std::nullopt);
    EXPECT_EQ(pool.offset_of(ip("fd08::")), std::nullopt);  // anycast
}

TEST(Allocate, PoolCursorKeepsLowestFreeAfterTakes) {
    AddressPool pool(pfx("10.8.0.0/29"));
    EXPECT_EQ(pool.capacity(), 6u);
    pool.take(ip("10.8.0.1"));
    pool.take(ip("10.8.0.3"));
    EXPECT_EQ(pool.lowest_free()->str(), "10.8.0.2");
    pool.take(ip("10.8.0.2"));
    EXPECT_EQ(pool.lowest_free()->str(), "10.8.0.4");
    pool.take(ip("10.8.0.7"));  // broadcast: not part of the pool
    EXPECT_TRUE(pool.is_free(4));
    EXPECT_FALSE(pool.is_free(7));
    for (const char* a : {"10.8.0.4", "10.8.0.5", "10.8.0.6"}) pool.take(ip(a));
    EXPECT_EQ(pool.lowest_free(), std::nullopt);
}

// 50,000 taken addresses in a /16: the cost depends on what is taken, not on
// the subnet size, so a /16 of IPv6 (2^112 addresses) is as cheap.
TEST(Allocate, SixteenWithFiftyThousandTaken) {
    AddressPool pool(pfx("10.8.0.0/16"));
    for (std::uint32_t i = 1; i <= 50000; ++i) pool.take(IpAddress::v4((10u << 24 | 8u << 16) + i));
    EXPECT_EQ(pool.lowest_free()->str(), IpAddress::v4((10u << 24 | 8u << 16) + 50001).str());
    AddressPool wide(pfx("fd00::/16"));
    EXPECT_EQ(wide.lowest_free()->str(), "fd00::1");
}

TEST(Allocate, PeersInProfileOrderAfterFixedAndInterfaceAddresses) {
    model::Profile p;
    p.interfaces.push_back(testing::interface("wg0", {"10.8.0.1/16"}));
    p.groups.push_back(testing::group("staff", "wg0", "10.8.0.0/24"));
    p.peers.push_back(testing::peer("a", "staff", 1));
    auto b = testing::peer("b", "staff", 2);
    b.address = ip("10.8.0.3");
    p.peers.push_back(b);
    p.peers.push_back(testing::peer("c", "staff", 3));
    p.peers.push_back(testing::peer("d", "staff", 4));
    auto r = assign_peer_addresses(p);
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ((*r)[0].v4->str(), "10.8.0.2");  // .1 is the interface
    EXPECT_EQ((*r)[1].v4->str(), "10.8.0.3");
    EXPECT_EQ((*r)[2].v4->str(), "10.8.0.4");
    EXPECT_EQ((*r)[3].v4->str(), "10.8.0.5");
    EXPECT_FALSE((*r)[0].v6);  // the group has no IPv6 subnet
}

TEST(Allocate, Ipv4AndIpv6PairByOffset) {
    model::Profile p;
    p.interfaces.push_back(testing::interface("wg0", {"10.8.0.1/16", "fd08::1/48"}));
    p.groups.push_back(testing::group("staff", "wg0", "10.8.1.0/24", "fd08:0:0:1::/64"));
    auto fixed4 = testing::peer("fixed4", "staff", 1);
    fixed4.address = ip("10.8.1.5");
    p.peers.push_back(fixed4);
    auto fixed6 = testing::peer("fixed6", "staff", 2);
    fixed6.address6 = ip("fd08:0:0:1::2");
    p.peers.push_back(fixed6);
    p.peers.push_back(testing::peer("first", "staff", 3));
    p.peers.push_back(testing::peer("second", "staff", 4));
    p.peers.push_back(testing::peer("third", "staff", 5));
    auto r = assign_peer_addresses(p);
    ASSERT_TRUE(r.ok()) << r.error().str();
    auto str = [](const PeerAddresses& a) { return a.v4->str() + " " + a.v6->str(); };
    EXPECT_EQ(str((*r)[0]), "10.8.1.5 fd08:0:0:1::5");  // fixed v4 lends its offset
    EXPECT_EQ(str((*r)[1]), "10.8.1.2 fd08:0:0:1::2");  // fixed v6 lends its offset
    EXPECT_EQ(str((*r)[2]), "10.8.1.1 fd08:0:0:1::1");
    EXPECT_EQ(str((*r)[3]), "10.8.1.3 fd08:0:0:1::3");
    EXPECT_EQ(str((*r)[4]), "10.8.1.4 fd08:0:0:1::4");
}

TEST(Allocate, UnpairedWhenTheOffsetIsTakenInTheOtherFamily) {
    model::Profile p;
    p.interfaces.push_back(testing::interface("wg0", {"10.8.0.1/16", "fd08::1/48"}));
    p.groups.push_back(testing::group("staff", "wg0", "10.8.1.0/24", "fd08:0:0:1::/64"));
    auto v6only = testing::peer("v6only", "staff", 1);
    v6only.address6 = ip("fd08:0:0:1::1");
    v6only.address = ip("10.8.1.200");
    p.peers.push_back(v6only);
    p.peers.push_back(testing::peer("next", "staff", 2));
    auto r = assign_peer_addresses(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[1].v4->str(), "10.8.1.1");       // lowest free v4...
    EXPECT_EQ((*r)[1].v6->str(), "fd08:0:0:1::2");  // ...whose offset is taken in v6
}

TEST(Allocate, FullGroupSubnetErrorNamesGroupAndPeer) {
    model::Profile p;
    p.interfaces.push_back(testing::interface("wg0", {"10.8.0.1/16"}));
    p.groups.push_back(testing::group("tiny", "wg0", "10.8.5.0/30"));
    for (int i = 0; i < 3; ++i) {
        auto peer = testing::peer(("p" + std::to_string(i)).c_str(), "tiny", i);
        peer.origin.table = Location{"office.toml", 40 + i, 1};
        p.peers.push_back(peer);
    }
    auto r = assign_peer_addresses(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "subnet 10.8.5.0/30 of group \"tiny\" is full (2 host addresses, all in use)");
    EXPECT_EQ(r.error().where.line, 42);  // the third peer is the one that did not fit
    auto partial = assign_addresses(p);
    EXPECT_TRUE(partial.peers[1].v4.has_value());
    EXPECT_FALSE(partial.peers[2].v4.has_value());
}

TEST(Allocate, FiftyThousandPeersInASixteen) {
    model::Profile p;
    p.interfaces.push_back(testing::interface("wg0", {"10.8.0.1/16"}));
    p.groups.push_back(testing::group("big", "wg0", "10.8.0.0/16"));
    p.peers.resize(50000);
    for (std::size_t i = 0; i < p.peers.size(); ++i) p.peers[i].group = "big";
    auto r = assign_peer_addresses(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0].v4->str(), "10.8.0.2");
    EXPECT_EQ((*r)[49999].v4->str(), IpAddress::v4((10u << 24 | 8u << 16) + 50001).str());
}

}  // namespace
}  // namespace vpngw::plan
