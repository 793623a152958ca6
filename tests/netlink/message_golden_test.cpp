// Byte-exact checks of the requests vpngw sends, against bytes worked out by
// hand from <linux/rtnetlink.h> and <linux/fib_rules.h> (little-endian host).

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <vector>

#include "netlink/routes.hpp"
#include "netlink/rules.hpp"
#include "netlink/write/routes.hpp"
#include "netlink/write/rules.hpp"

namespace vpngw::netlink {
namespace {

std::vector<std::uint8_t> bytes_of(const nlmsghdr* nlh) {
    auto span = message_bytes(nlh);
    return {span.begin(), span.end()};
}

Prefix prefix(const char* text) {
    return Prefix::parse(text).value();
}

IpAddress address(const char* text) {
    return IpAddress::parse(text).value();
}

TEST(MessageGolden, AddRouteViaGatewayInHighTable) {
    state::Route r;
    r.table = 51001;
    r.dst = prefix("198.51.100.0/24");
    r.via = address("192.0.2.1");
    r.dev = "eth0";
    r.metric = 10;
    MessageBuffer buf;
    const nlmsghdr* nlh =
        build_route_message(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, /*oif=*/7);
    const std::vector<std::uint8_t> expected = {
        // nlmsghdr: len 68, RTM_NEWROUTE (24), REQUEST|EXCL|CREATE, seq 0, pid 0
        0x44, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01, 0x06,  //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
        // rtmsg: AF_INET, dst_len 24, src_len 0, tos 0, table UNSPEC (id > 255),
        // protocol 86, scope universe (has a gateway), type unicast, flags 0
        0x02, 0x18, 0x00, 0x00, 0x00, 0x56, 0x00, 0x01,  //
        0x00, 0x00, 0x00, 0x00,                          //
        // RTA_TABLE (15) = 51001 = 0xc739
        0x08, 0x00, 0x0f, 0x00, 0x39, 0xc7, 0x00, 0x00,  //
        // RTA_DST (1) = 198.51.100.0
        0x08, 0x00, 0x01, 0x00, 0xc6, 0x33, 0x64, 0x00,  //
        // RTA_GATEWAY (5) = 192.0.2.1
        0x08, 0x00, 0x05, 0x00, 0xc0, 0x00, 0x02, 0x01,  //
        // RTA_OIF (4) = 7
        0x08, 0x00, 0x04, 0x00, 0x07, 0x00, 0x00, 0x00,  //
        // RTA_PRIORITY (6) = 10
        0x08, 0x00, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00,  //
    };
    EXPECT_EQ(bytes_of(nlh), expected);
}

TEST(MessageGolden, DeleteBlackholeRouteMatchesAnyScope) {
    state::Route r;
    r.table = 100;
    r.dst = prefix("10.99.0.0/16");
    r.type = state::RouteType::blackhole;
    MessageBuffer buf;
    const nlmsghdr* nlh = build_route_message(buf, RTM_DELROUTE, 0, r, 0);
    const std::vector<std::uint8_t> expected = {
        // nlmsghdr: len 44, RTM_DELROUTE (25), REQUEST
        0x2c, 0x00, 0x00, 0x00, 0x19, 0x00, 0x01, 0x00,  //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
        // rtmsg: AF_INET, /16, table 100 in the header, protocol 86,
        // scope NOWHERE (255), type blackhole (6)
        0x02, 0x10, 0x00, 0x00, 0x64, 0x56, 0xff, 0x06,  //
        0x00, 0x00, 0x00, 0x00,                          //
        // RTA_TABLE = 100
        0x08, 0x00, 0x0f, 0x00, 0x64, 0x00, 0x00, 0x00,  //
        // RTA_DST = 10.99.0.0
        0x08, 0x00, 0x01, 0x00, 0x0a, 0x63, 0x00, 0x00,  //
    };
    EXPECT_EQ(bytes_of(nlh), expected);
}

TEST(MessageGolden, AddRuleWithMarkSourceAndIif) {
    state::Rule r;
    r.family = Family::v4;
    r.priority = 5000;
    r.fwmark = 0x1;
    r.fwmask = 0xff;
    r.from = prefix("10.8.1.0/24");
    r.iif = "wg0";
    r.table = 51001;
    MessageBuffer buf;
    const nlmsghdr* nlh = build_rule_message(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
    const std::vector<std::uint8_t> expected = {
        // nlmsghdr: len 84, RTM_NEWRULE (32), REQUEST|EXCL|CREATE
        0x54, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0x06,  //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
        // fib_rule_hdr: AF_INET, dst_len 0, src_len 24, tos 0, table UNSPEC,
        // res1, res2, action FR_ACT_TO_TBL (1), flags 0
        0x02, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x01,  //
        0x00, 0x00, 0x00, 0x00,                          //
        // FRA_PRIORITY (6) = 5000 = 0x1388
        0x08, 0x00, 0x06, 0x00, 0x88, 0x13, 0x00, 0x00,  //
        // FRA_PROTOCOL (21), u8 86, padded to 4 bytes
        0x05, 0x00, 0x15, 0x00, 0x56, 0x00, 0x00, 0x00,  //
        // FRA_TABLE (15) = 51001
        0x08, 0x00, 0x0f, 0x00, 0x39, 0xc7, 0x00, 0x00,  //
        // FRA_FWMARK (10) = 1, FRA_FWMASK (16) = 0xff
        0x08, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00,  //
        0x08, 0x00, 0x10, 0x00, 0xff, 0x00, 0x00, 0x00,  //
        // FRA_SRC (2) = 10.8.1.0
        0x08, 0x00, 0x02, 0x00, 0x0a, 0x08, 0x01, 0x00,  //
        // FRA_IIFNAME (3) = "wg0\0"
        0x08, 0x00, 0x03, 0x00, 0x77, 0x67, 0x30, 0x00,  //
    };
    EXPECT_EQ(bytes_of(nlh), expected);
}

TEST(MessageGolden, AddIpv6SuppressRuleForMain) {
    state::Rule r;
    r.family = Family::v6;
    r.priority = 5002;
    r.table = 254;
    r.suppress_prefixlength = 0;
    MessageBuffer buf;
    const nlmsghdr* nlh = build_rule_message(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
    const std::vector<std::uint8_t> expected = {
        // nlmsghdr: len 60
        0x3c, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0x06,  //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //
        // fib_rule_hdr: AF_INET6 (10), table main (254) in the header
        0x0a, 0x00, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x01,  //
        0x00, 0x00, 0x00, 0x00,                          //
        // FRA_PRIORITY = 5002 = 0x138a
        0x08, 0x00, 0x06, 0x00, 0x8a, 0x13, 0x00, 0x00,  //
        // FRA_PROTOCOL = 86
        0x05, 0x00, 0x15, 0x00, 0x56, 0x00, 0x00, 0x00,  //
        // FRA_TABLE = 254
        0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,  //
        // FRA_SUPPRESS_PREFIXLEN (14) = 0
        0x08, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00,  //
    };
    EXPECT_EQ(bytes_of(nlh), expected);
}

TEST(Describe, RouteAndRuleTextsNameTheObject) {
    state::Route r;
    r.table = 51001;
    r.dst = prefix("0.0.0.0/0");
    r.via = address("192.0.2.1");
    r.dev = "eth0";
    EXPECT_EQ(describe_route(r), "default via 192.0.2.1 dev eth0 table 51001");
    r.type = state::RouteType::unreachable;
    r.via.reset();
    r.dev.clear();
    r.dst = prefix("2001:db8::/32");
    r.metric = 1024;
    EXPECT_EQ(describe_route(r), "unreachable 2001:db8::/32 table 51001 metric 1024");

    state::Rule rule;
    rule.priority = 5000;
    rule.fwmark = 0x10;
    rule.fwmask = 0xff;
    rule.table = 51001;
    EXPECT_EQ(describe_rule(rule), "IPv4 rule 5000: from all fwmark 0x10/0xff lookup 51001");
}

}  // namespace
}  // namespace vpngw::netlink
