// Which existing route vpngw may take over when adding its own (the kernel
// answered EEXIST): the identical one of another owner, never a conflicting one.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include "netlink/routes.hpp"

namespace vpngw::netlink::test {
namespace {

state::Route route(const char* dst, const char* dev, std::uint32_t metric = 0,
                   const char* via = nullptr, std::uint32_t table = 254) {
    state::Route r;
    r.table = table;
    r.dst = Prefix::parse(dst).value();
    r.dev = dev;
    r.metric = metric;
    if (via) r.via = IpAddress::parse(via).value();
    return r;
}

RouteEntry boot(state::Route r) {
    return {std::move(r), RTPROT_BOOT};
}

using Kind = RouteInTheWay::Kind;

TEST(RouteInTheWay, WgQuicksRouteToAPeersNetworkIsIdentical) {
    const auto want = route("192.168.50.0/24", "wg0");
    const auto found = route_in_the_way(
        want, {boot(route("10.0.0.0/24", "eth0")), boot(route("192.168.50.0/24", "wg0"))});
    EXPECT_EQ(found.kind, Kind::identical);
    EXPECT_EQ(found.entry.protocol, RTPROT_BOOT);
    EXPECT_EQ(describe_route_entry(found.entry), "192.168.50.0/24 dev wg0 table main proto boot");
}

TEST(RouteInTheWay, Ipv6MetricZeroIsTheKernels1024) {
    // `ip -6 route add fd50::/64 dev wg0` is stored with metric 1024, which is
    // what vpngw's metric 0 becomes too.
    const auto found =
        route_in_the_way(route("fd50::/64", "wg0"), {boot(route("fd50::/64", "wg0", 1024))});
    EXPECT_EQ(found.kind, Kind::identical);
}

TEST(RouteInTheWay, AnotherDeviceGatewayOrTypeIsAConflict) {
    const auto want = route("192.168.50.0/24", "wg0");
    EXPECT_EQ(route_in_the_way(want, {boot(route("192.168.50.0/24", "eth1"))}).kind,
              Kind::conflict);
    EXPECT_EQ(route_in_the_way(want, {boot(route("192.168.50.0/24", "wg0", 0, "10.72.0.9"))}).kind,
              Kind::conflict);
    auto hole = route("192.168.50.0/24", "");
    hole.type = state::RouteType::blackhole;
    const auto found = route_in_the_way(want, {boot(hole)});
    EXPECT_EQ(found.kind, Kind::conflict);
    EXPECT_EQ(found.entry.route.type, state::RouteType::blackhole);
}

TEST(RouteInTheWay, OtherTablesMetricsAndPrefixesAreNotInTheWay) {
    const auto want = route("192.168.50.0/24", "wg0");
    EXPECT_EQ(route_in_the_way(want, {boot(route("192.168.50.0/24", "eth1", 0, nullptr, 100)),
                                      boot(route("192.168.50.0/24", "eth1", 20)),
                                      boot(route("192.168.50.0/25", "eth1"))})
                  .kind,
              Kind::none);
}

TEST(RouteInTheWay, AnIdenticalRouteWinsOverAConflictUnderTheSameKey) {
    // IPv6 can list several routes under one key (multipath siblings).
    const auto want = route("fd50::/64", "wg0");
    const auto found = route_in_the_way(
        want, {boot(route("fd50::/64", "eth1", 1024)), boot(route("fd50::/64", "wg0", 1024))});
    EXPECT_EQ(found.kind, Kind::identical);
}

}  // namespace
}  // namespace vpngw::netlink::test
