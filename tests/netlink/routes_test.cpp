#include "netlink/routes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "netlink/addresses.hpp"
#include "netlink/write/addresses.hpp"
#include "netlink/write/routes.hpp"
#include "support/netns_environment.hpp"
#include "support/shell.hpp"

namespace vpngw::netlink::test {
namespace {

state::Route route(std::uint32_t table, const char* dst, const char* via, const char* dev,
                   std::uint32_t metric = 0, state::RouteType type = state::RouteType::unicast) {
    state::Route r;
    r.table = table;
    r.dst = Prefix::parse(dst).value();
    if (via) r.via = IpAddress::parse(via).value();
    r.dev = dev ? dev : "";
    r.metric = metric;
    r.type = type;
    return r;
}

std::vector<state::Route> routes_of(const std::vector<RouteEntry>& entries) {
    std::vector<state::Route> out;
    for (const auto& e : entries) out.push_back(e.route);
    return out;
}

const RouteEntry* find(const std::vector<RouteEntry>& all, const state::Route& r) {
    for (const auto& e : all)
        if (e.route == r) return &e;
    return nullptr;
}

class Routes : public NetnsTest {
  protected:
    void SetUp() override {
        NetnsTest::SetUp();
        if (HasFatalFailure()) return;
        must("ip link add va type veth peer name vb");
        must("ip link set va up");
        must("ip link set vb up");
        must("ip addr add 192.0.2.2/24 dev va");
        must("ip -6 addr add fd00::2/64 dev va nodad");
    }

    // vpngw's routes for the tests: every type, both families, high and main tables.
    const std::vector<state::Route> ours = {
        route(51001, "198.51.100.0/24", "192.0.2.1", "va", 10),
        route(51001, "10.99.0.0/16", nullptr, nullptr, 0, state::RouteType::blackhole),
        route(254, "203.0.113.0/24", nullptr, "va"),
        route(51002, "0.0.0.0/0", nullptr, nullptr, 0, state::RouteType::unreachable),
        // IPv6 stores metric 0 as 1024, so the test asks for 1024 to round-trip.
        route(51001, "2001:db8:1::/64", "fd00::1", "va", 1024),
        route(51001, "2001:db8:dead::/48", nullptr, nullptr, 1024, state::RouteType::blackhole),
        // TPROXY's local-delivery table keeps its device (lo).
        route(51000, "0.0.0.0/0", nullptr, "lo", 0, state::RouteType::local),
        route(51000, "::/0", nullptr, "lo", 1024, state::RouteType::local),
    };
};

TEST_F(Routes, AddedRoutesShowInIpAndRoundTrip) {
    for (const auto& r : ours) {
        auto st = add_route(sock(), r);
        ASSERT_TRUE(st) << st.error().message;
    }
    auto v4 = shell("ip route show table all");
    EXPECT_TRUE(
        has_line(v4.text, "198.51.100.0/24 via 192.0.2.1 dev va table 51001 proto 86 metric 10"))
        << v4.text;
    EXPECT_TRUE(has_line(v4.text, "blackhole 10.99.0.0/16 table 51001 proto 86")) << v4.text;
    EXPECT_TRUE(has_line(v4.text, "203.0.113.0/24 dev va proto 86 scope link")) << v4.text;
    EXPECT_TRUE(has_line(v4.text, "unreachable default table 51002 proto 86")) << v4.text;
    EXPECT_TRUE(has_line(v4.text, "local default dev lo table 51000 proto 86 scope host"))
        << v4.text;
    auto v6 = shell("ip -6 route show table all");
    EXPECT_TRUE(
        has_line(v6.text, "2001:db8:1::/64 via fd00::1 dev va table 51001 proto 86 metric 1024"))
        << v6.text;
    EXPECT_TRUE(has_line(v6.text, "blackhole 2001:db8:dead::/48 dev lo table 51001 proto 86"))
        << v6.text;
    EXPECT_TRUE(has_line(v6.text, "local default dev lo table 51000 proto 86 metric 1024"))
        << v6.text;

    auto dumped = dump_routes(sock(), state::kRouteProtocol);
    ASSERT_TRUE(dumped) << dumped.error().message;
    auto got = routes_of(*dumped);
    EXPECT_EQ(got.size(), ours.size());
    EXPECT_TRUE(std::is_permutation(got.begin(), got.end(), ours.begin(), ours.end()));
    for (const auto& e : *dumped) EXPECT_EQ(e.protocol, state::kRouteProtocol);
}

TEST_F(Routes, ForeignRoutesAreListedOnlyUnfilteredAndSurviveDeletes) {
    for (const auto& r : ours) ASSERT_TRUE(add_route(sock(), r));
    must("ip route add 198.51.100.0/24 via 192.0.2.1 dev va table 51001 metric 20 proto static");
    must("ip route add 10.77.0.0/16 dev va table 51001 proto static");
    must("ip -6 route add 2001:db8:2::/64 via fd00::1 dev va table 51001 proto static");

    auto all = dump_routes(sock(), std::nullopt);
    ASSERT_TRUE(all) << all.error().message;
    const auto* foreign = find(*all, route(51001, "198.51.100.0/24", "192.0.2.1", "va", 20));
    ASSERT_NE(foreign, nullptr);
    EXPECT_EQ(foreign->protocol, 4);  // RTPROT_STATIC
    // The connected route the kernel made for 192.0.2.2/24, in main.
    const auto* kernel = find(*all, route(254, "192.0.2.0/24", nullptr, "va"));
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->protocol, 2);  // RTPROT_KERNEL
    // The kernel's local table (its own addresses) is never listed.
    for (const auto& e : *all) EXPECT_NE(e.route.table, 255u) << describe_route(e.route);

    auto mine = dump_routes(sock(), state::kRouteProtocol);
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->size(), ours.size());

    // A route of the same key but another owner is not ours to delete.
    auto not_ours = delete_route(sock(), route(51001, "10.77.0.0/16", nullptr, "va"));
    EXPECT_FALSE(not_ours);
    EXPECT_TRUE(
        has_line(shell("ip route show table 51001").text, "10.77.0.0/16 dev va proto static"));

    for (const auto& r : ours) {
        auto st = delete_route(sock(), r);
        ASSERT_TRUE(st) << st.error().message;
    }
    auto left = dump_routes(sock(), state::kRouteProtocol);
    ASSERT_TRUE(left);
    EXPECT_TRUE(left->empty());
    auto v4 = shell("ip route show table 51001").text;
    EXPECT_TRUE(has_line(v4, "198.51.100.0/24 via 192.0.2.1 dev va proto static metric 20")) << v4;
    EXPECT_FALSE(has_line(v4, "metric 10")) << v4;
    EXPECT_TRUE(has_line(v4, "10.77.0.0/16 dev va proto static")) << v4;
    EXPECT_TRUE(has_line(shell("ip -6 route show table 51001").text, "2001:db8:2::/64"));
    EXPECT_TRUE(
        has_line(shell("ip route show table main").text, "192.0.2.0/24 dev va proto kernel"));
}

TEST_F(Routes, UnreachableGatewayErrorHasKernelMessageAndOrigin) {
    auto r = route(51001, "0.0.0.0/0", "203.0.113.1", "va");
    r.origin = Location{"gw.toml", 21, 3};
    auto st = add_route(sock(), r);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message,
              "adding route default via 203.0.113.1 dev va table 51001: Network is unreachable "
              "(Nexthop has invalid gateway)");
    EXPECT_EQ(st.error().where, r.origin);
    EXPECT_FALSE(has_line(shell("ip route show table all").text, "203.0.113.1"));
}

TEST_F(Routes, DuplicateAndMissingDeviceAreErrors) {
    const auto r = route(51001, "198.51.100.0/24", "192.0.2.1", "va", 10);
    ASSERT_TRUE(add_route(sock(), r));
    auto dup = add_route(sock(), r);
    ASSERT_FALSE(dup);
    EXPECT_NE(dup.error().message.find("adding route 198.51.100.0/24 via 192.0.2.1 dev va table "
                                       "51001 metric 10: File exists"),
              std::string::npos)
        << dup.error().message;

    auto no_dev = add_route(sock(), route(51001, "10.1.0.0/16", nullptr, "wg9"));
    ASSERT_FALSE(no_dev);
    EXPECT_EQ(no_dev.error().message,
              "adding route 10.1.0.0/16 dev wg9 table 51001: no link named wg9");
}

// wg-quick's routes to the networks behind its peers (`ip route add <net>
// dev wg0`, proto boot) are the ones vpngw plans: it takes them over in
// place, hands them back on undo, and refuses a conflicting one.
TEST_F(Routes, IdenticalForeignRouteIsTakenOverAndHandedBack) {
    must("ip route add 192.168.50.0/24 dev va");
    must("ip -6 route add fd50::/64 dev va");
    for (const char* dst : {"192.168.50.0/24", "fd50::/64"}) {
        const auto r = route(254, dst, nullptr, "va");
        auto adopted = add_or_adopt_route(sock(), r);
        ASSERT_TRUE(adopted) << adopted.error().message;
        ASSERT_TRUE(adopted->has_value()) << dst << " was added, not taken over";
        EXPECT_EQ(**adopted, 3) << dst;  // RTPROT_BOOT: what `ip route add` leaves
        auto mine = dump_routes(sock(), state::kRouteProtocol);
        ASSERT_TRUE(mine);
        EXPECT_EQ(mine->size(), 1u) << dst;
        auto st = hand_back_route(sock(), r, **adopted);
        ASSERT_TRUE(st) << st.error().message;
        mine = dump_routes(sock(), state::kRouteProtocol);
        ASSERT_TRUE(mine);
        EXPECT_TRUE(mine->empty()) << dst;
    }
    // Back to proto boot, which `ip route show` leaves out (vpngw's shows "proto 86").
    const auto v4 = shell("ip route show table main").text;
    EXPECT_TRUE(has_line(v4, "192.168.50.0/24 dev va scope link")) << v4;
    const auto v6 = shell("ip -6 route show table main").text;
    EXPECT_TRUE(has_line(v6, "fd50::/64 dev va metric 1024 pref medium")) << v6;

    // A new route is simply added: nothing to hand back.
    auto added = add_or_adopt_route(sock(), route(254, "192.168.51.0/24", nullptr, "va"));
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_FALSE(added->has_value());
}

TEST_F(Routes, ConflictingForeignRouteIsRefusedAndKept) {
    must("ip route add 192.168.50.0/24 via 192.0.2.9 dev va");
    auto r = route(254, "192.168.50.0/24", nullptr, "va");
    r.origin = Location{"gw.toml", 30, 1};
    auto st = add_or_adopt_route(sock(), r);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message,
              "adding route 192.168.50.0/24 dev va table main: the kernel has 192.168.50.0/24 "
              "via 192.0.2.9 dev va table main proto boot in its place, which vpngw did not "
              "make; remove that route or change the profile");
    EXPECT_EQ(st.error().where, r.origin);
    EXPECT_TRUE(
        has_line(shell("ip route show table main").text, "192.168.50.0/24 via 192.0.2.9 dev va"));
}

}  // namespace
}  // namespace vpngw::netlink::test
