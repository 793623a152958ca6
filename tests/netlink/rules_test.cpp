#include "netlink/rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "netlink/write/rules.hpp"
#include "support/netns_environment.hpp"
#include "support/shell.hpp"

namespace vpngw::netlink::test {
namespace {

std::vector<state::Rule> our_rules() {
    state::Rule mark;
    mark.priority = 5000;
    mark.fwmark = 0x1;
    mark.fwmask = 0xff;
    mark.table = 51001;

    state::Rule source;
    source.priority = 5001;
    source.from = Prefix::parse("10.8.1.0/24").value();
    source.iif = "lo";
    source.table = 51002;

    state::Rule suppress;
    suppress.priority = 5002;
    suppress.table = 254;
    suppress.suppress_prefixlength = 0;

    state::Rule v6;
    v6.family = Family::v6;
    v6.priority = 5000;
    v6.from = Prefix::parse("fd08:0:0:1::/64").value();
    v6.table = 51001;
    return {mark, source, suppress, v6};
}

std::vector<state::Rule> rules_of(const std::vector<RuleEntry>& entries) {
    std::vector<state::Rule> out;
    for (const auto& e : entries) out.push_back(e.rule);
    return out;
}

using Rules = NetnsTest;

TEST_F(Rules, AddedRulesShowInIpAndRoundTrip) {
    const auto ours = our_rules();
    for (const auto& r : ours) {
        auto st = add_rule(sock(), r);
        ASSERT_TRUE(st) << st.error().message;
    }
    auto v4 = shell("ip rule").text;
    EXPECT_TRUE(has_line(v4, "5000:\tfrom all fwmark 0x1/0xff lookup 51001 proto 86")) << v4;
    EXPECT_TRUE(has_line(v4, "5001:\tfrom 10.8.1.0/24 iif lo lookup 51002 proto 86")) << v4;
    EXPECT_TRUE(has_line(v4, "5002:\tfrom all lookup main suppress_prefixlength 0 proto 86")) << v4;
    auto v6 = shell("ip -6 rule").text;
    EXPECT_TRUE(has_line(v6, "5000:\tfrom fd08:0:0:1::/64 lookup 51001 proto 86")) << v6;

    auto dumped = dump_rules(sock(), state::kRouteProtocol);
    ASSERT_TRUE(dumped) << dumped.error().message;
    auto got = rules_of(*dumped);
    EXPECT_EQ(got.size(), ours.size());
    EXPECT_TRUE(std::is_permutation(got.begin(), got.end(), ours.begin(), ours.end()));
}

TEST_F(Rules, DeleteLeavesForeignRulesEvenWithTheSameSelectors) {
    const auto ours = our_rules();
    for (const auto& r : ours) ASSERT_TRUE(add_rule(sock(), r));
    // Same priority, mark and table as ours; only the protocol differs.
    must("ip rule add pref 5000 fwmark 0x1/0xff lookup 51001 proto static");
    must("ip rule add pref 5003 lookup 100");

    auto all = dump_rules(sock(), std::nullopt);
    ASSERT_TRUE(all) << all.error().message;
    int twins = 0;
    for (const auto& e : *all)
        if (e.rule == ours[0]) ++twins;
    EXPECT_EQ(twins, 2);
    auto main_rule = std::find_if(all->begin(), all->end(), [](const RuleEntry& e) {
        return e.rule.priority == 32766 && e.rule.family == Family::v4;
    });
    ASSERT_NE(main_rule, all->end());
    EXPECT_EQ(main_rule->rule.table, 254u);
    EXPECT_EQ(main_rule->protocol, 2);  // RTPROT_KERNEL

    auto mine = dump_rules(sock(), state::kRouteProtocol);
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->size(), ours.size());

    for (const auto& r : ours) {
        auto st = delete_rule(sock(), r);
        ASSERT_TRUE(st) << st.error().message;
    }
    auto v4 = shell("ip rule").text;
    EXPECT_FALSE(has_line(v4, "proto 86")) << v4;
    EXPECT_TRUE(has_line(v4, "5000:\tfrom all fwmark 0x1/0xff lookup 51001 proto static")) << v4;
    EXPECT_TRUE(has_line(v4, "5003:\tfrom all lookup 100")) << v4;
    EXPECT_TRUE(has_line(v4, "32766:\tfrom all lookup main")) << v4;
    EXPECT_FALSE(has_line(shell("ip -6 rule").text, "proto 86"));
    auto left = dump_rules(sock(), state::kRouteProtocol);
    ASSERT_TRUE(left);
    EXPECT_TRUE(left->empty());

    // Deleting again finds nothing of ours, though a foreign twin remains.
    auto again = delete_rule(sock(), ours[0]);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find(
                  "deleting IPv4 rule 5000: from all fwmark 0x1/0xff lookup 51001: "),
              std::string::npos)
        << again.error().message;
    EXPECT_TRUE(has_line(shell("ip rule").text, "proto static"));
}

TEST_F(Rules, DuplicateIsAnErrorWithOrigin) {
    auto r = our_rules()[0];
    r.origin = Location{"gw.toml", 40, 1};
    ASSERT_TRUE(add_rule(sock(), r));
    auto dup = add_rule(sock(), r);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().message,
              "adding IPv4 rule 5000: from all fwmark 0x1/0xff lookup 51001: File exists");
    EXPECT_EQ(dup.error().where, r.origin);
}

}  // namespace
}  // namespace vpngw::netlink::test
