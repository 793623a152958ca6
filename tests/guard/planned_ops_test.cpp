// `up --check`'s checks of planned operations against the live tables, with
// the tables written out by hand and the kernel's nft validation replaced by
// a recorder: what each check finds, and where it points.

#include "guard/planned_ops.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vpngw::guard {
namespace {

const Location kLine{"gw.toml", 12, 3};

state::Route route(const char* dst, const char* dev, const char* via = nullptr,
                   std::uint32_t table = 254) {
    state::Route r;
    r.table = table;
    r.dst = *Prefix::parse(dst);
    r.dev = dev;
    if (via) r.via = *IpAddress::parse(via);
    return r;
}

state::Rule rule(std::uint32_t priority, std::uint32_t table) {
    state::Rule r;
    r.priority = priority;
    r.table = table;
    r.fwmark = 0x100;
    return r;
}

LiveTables host() {
    LiveTables t;
    t.links = {"lo", "eth0"};
    t.addresses.push_back({"eth0", *Prefix::parse("203.0.113.2/24"), {}});
    t.routes.push_back({route("0.0.0.0/0", "eth0", "203.0.113.1"), 4});  // boot
    t.routes.push_back({route("203.0.113.0/24", "eth0"), 2});            // kernel
    return t;
}

struct Found {
    std::vector<std::string> errors, warnings;
    std::vector<Location> where;
};

Found check(
    const std::vector<ops::Op>& planned, const LiveTables& live,
    const NftCheck& nft = [](const std::string&) { return ok_status(); }) {
    Diagnostics d;
    check_planned_ops(planned, live, nft, d);
    Found f;
    for (const auto& x : d.all()) {
        (x.severity == Severity::error ? f.errors : f.warnings).push_back(x.message);
        f.where.push_back(x.where);
    }
    return f;
}

ops::Op op(ops::OpPayload payload) {
    return ops::Op{std::move(payload), kLine};
}

TEST(PlannedOps, ARouteThroughAnExistingDeviceAndGatewayPasses) {
    auto f = check({op(ops::RouteAdd{route("0.0.0.0/0", "eth0", "203.0.113.1", 100)})}, host());
    EXPECT_TRUE(f.errors.empty()) << f.errors.front();
    EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
}

TEST(PlannedOps, ARouteThroughAMissingDeviceIsAnErrorAtItsLine) {
    auto f = check({op(ops::RouteAdd{route("0.0.0.0/0", "eth9", "203.0.113.1", 100)})}, host());
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_NE(f.errors[0].find("device eth9 does not exist"), std::string::npos) << f.errors[0];
    EXPECT_EQ(f.where[0].str(), kLine.str());
}

TEST(PlannedOps, ADeviceTheSamePlanCreatesExists) {
    state::Link wg;
    wg.name = "wg0";
    auto f = check({op(ops::LinkCreate{wg, model::Backend::userspace}),
                    op(ops::AddressAdd{{"wg0", *Prefix::parse("10.66.0.1/16"), {}}}),
                    op(ops::RouteAdd{route("10.77.0.0/16", "wg0", "10.66.0.9", 100)})},
                   host());
    EXPECT_TRUE(f.errors.empty()) << f.errors.front();
}

TEST(PlannedOps, AGatewayOffTheDevicesNetworksIsRefused) {
    auto f = check({op(ops::RouteAdd{route("0.0.0.0/0", "eth0", "198.51.100.1", 100)})}, host());
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_NE(f.errors[0].find("gateway 198.51.100.1 is not on a network connected to eth0 (eth0 "
                               "has 203.0.113.2/24)"),
              std::string::npos)
        << f.errors[0];
}

TEST(PlannedOps, ARouteAnotherToolOwnsCollides) {
    auto live = host();
    auto mine = route("10.0.0.0/8", "eth0", "203.0.113.1", 100);
    live.routes.push_back({mine, state::kRouteProtocol});
    EXPECT_TRUE(check({op(ops::RouteAdd{mine})}, live).errors.empty()) << "vpngw's own route";
    live.routes.back().protocol = 4;
    auto f = check({op(ops::RouteAdd{mine})}, live);
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_NE(
        f.errors[0].find("table 100 already has a route to 10.0.0.0/8 that vpngw does not own"),
        std::string::npos)
        << f.errors[0];
}

TEST(PlannedOps, RulePriorityAndTableAreChecked) {
    auto outside = check({op(ops::RuleAdd{rule(4999, 254)})}, host());
    ASSERT_EQ(outside.errors.size(), 1u);
    EXPECT_NE(outside.errors[0].find("outside vpngw's range 5000-5999"), std::string::npos);

    auto reserved = check({op(ops::RuleAdd{rule(5000, 255)})}, host());
    ASSERT_FALSE(reserved.errors.empty());
    EXPECT_NE(reserved.errors[0].find("table 255 is reserved"), std::string::npos);

    auto empty = check({op(ops::RuleAdd{rule(5000, 100)})}, host());
    EXPECT_TRUE(empty.errors.empty());
    ASSERT_EQ(empty.warnings.size(), 1u);
    EXPECT_NE(empty.warnings[0].find("table 100 has no routes"), std::string::npos);

    auto filled = check({op(ops::RouteAdd{route("0.0.0.0/0", "eth0", "203.0.113.1", 100)}),
                         op(ops::RuleAdd{rule(5000, 100)})},
                        host());
    EXPECT_TRUE(filled.warnings.empty()) << filled.warnings.front();
}

TEST(PlannedOps, AnotherToolsRuleAtTheSamePriorityIsAWarning) {
    auto live = host();
    live.rules.push_back({rule(5000, 254), 0});
    auto f = check({op(ops::RuleAdd{rule(5000, 254)})}, live);
    EXPECT_TRUE(f.errors.empty());
    ASSERT_EQ(f.warnings.size(), 1u);
    EXPECT_NE(f.warnings[0].find("another tool already has a rule at priority 5000"),
              std::string::npos);
    live.rules.back().protocol = state::kRouteProtocol;
    EXPECT_TRUE(check({op(ops::RuleAdd{rule(5000, 254)})}, live).warnings.empty());
}

TEST(PlannedOps, AddressesNeedTheirDeviceAndWarnWhenTaken) {
    auto missing =
        check({op(ops::AddressAdd{{"wg0", *Prefix::parse("10.66.0.1/16"), {}}})}, host());
    ASSERT_EQ(missing.errors.size(), 1u);
    EXPECT_NE(missing.errors[0].find("device wg0 does not exist"), std::string::npos);

    auto live = host();
    live.links.push_back("wg0");
    auto taken = check({op(ops::AddressAdd{{"wg0", *Prefix::parse("203.0.113.2/32"), {}}})}, live);
    EXPECT_TRUE(taken.errors.empty());
    ASSERT_EQ(taken.warnings.size(), 1u);
    EXPECT_NE(taken.warnings[0].find("is already on eth0"), std::string::npos);
}

TEST(PlannedOps, TheKernelsNftVerdictIsReportedAtTheOp) {
    std::vector<std::string> asked;
    auto refuse = [&](const std::string& batch) -> Status {
        asked.push_back(batch);
        return Error{"Could not process rule: No such file or directory", {"vpngw-ruleset", 3, 1}};
    };
    ops::NftElementsAdd add;
    add.elements.push_back({"peers4", *IpAddress::parse("10.66.1.2"), {}});
    auto f =
        check({op(ops::NftReplace{"table inet vpngw {}\n", "", false}), op(add)}, host(), refuse);
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(asked[0], "table inet vpngw {}\n");
    EXPECT_EQ(asked[1], "add element inet vpngw peers4 { 10.66.1.2 }\n");
    ASSERT_EQ(f.errors.size(), 2u);
    EXPECT_NE(f.errors[0].find("the firewall (table inet vpngw) would be refused by the kernel: "
                               "Could not process rule"),
              std::string::npos)
        << f.errors[0];
    EXPECT_EQ(f.where[0].str(), kLine.str());
    EXPECT_NE(f.errors[1].find("adding peer elements would be refused"), std::string::npos);

    asked.clear();
    EXPECT_TRUE(check({op(ops::NftElementsDelete{})}, host(), refuse).errors.empty())
        << "an empty batch is not sent";
    EXPECT_TRUE(asked.empty());
}

}  // namespace
}  // namespace vpngw::guard
