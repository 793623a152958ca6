// How a balanced group's numgen numbers map to uplinks (plan/balance.hpp).

#include "plan/balance.hpp"

#include <gtest/gtest.h>

namespace vpngw::plan {
namespace {

model::Profile profile_with(std::vector<std::pair<std::string, std::uint32_t>> weights) {
    model::Profile p;
    std::uint32_t mark = 0x51001;
    for (const auto& [name, w] : weights) {
        model::Uplink u;
        u.name = name;
        u.device = "eth" + std::to_string(mark - 0x51001);
        u.fwmark = mark++;
        p.uplinks.push_back(u);
    }
    model::Group g;
    g.name = "staff";
    for (const auto& [name, w] : weights) g.balance.push_back({name, w, {}});
    g.egress = weights.front().first;
    p.groups.push_back(g);
    return p;
}

std::vector<std::string> elements(const model::Profile& p, std::set<std::string> down = {}) {
    return balance_elements(balance_slots(p, p.groups[0], down));
}

using V = std::vector<std::string>;

TEST(BalanceSlots, WeightsBecomeConsecutiveRanges) {
    const auto p = profile_with({{"wan0", 3}, {"wan1", 1}});
    EXPECT_EQ(balance_total(p.groups[0]), 4u);
    EXPECT_EQ(elements(p), (V{"0-2 : 0x00051001", "3 : 0x00051002"}));
}

TEST(BalanceSlots, DownUplinkGivesItsNumbersToTheOthers) {
    const auto p = profile_with({{"wan0", 3}, {"wan1", 1}});
    EXPECT_EQ(elements(p, {"wan1"}), (V{"0-3 : 0x00051001"}));
    EXPECT_EQ(elements(p, {"wan0"}), (V{"0-3 : 0x00051002"}));
}

TEST(BalanceSlots, SharesStayProportionalAmongTheHealthy) {
    // 2:1:1 over 4; with c down, a and b share 4 as 2:1 -> 2.67/1.33 -> 3 and 1.
    const auto p = profile_with({{"a", 2}, {"b", 1}, {"c", 1}});
    EXPECT_EQ(elements(p), (V{"0-1 : 0x00051001", "2 : 0x00051002", "3 : 0x00051003"}));
    EXPECT_EQ(elements(p, {"c"}), (V{"0-2 : 0x00051001", "3 : 0x00051002"}));
    // Equal weights and an odd total: the earlier uplink takes the tie.
    const auto q = profile_with({{"a", 1}, {"b", 1}, {"c", 1}});
    EXPECT_EQ(elements(q, {"b"}), (V{"0-1 : 0x00051001", "2 : 0x00051003"}));
}

TEST(BalanceSlots, EveryUplinkDownKeepsTheFullWeights) {
    const auto p = profile_with({{"wan0", 3}, {"wan1", 1}});
    EXPECT_EQ(elements(p, {"wan0", "wan1"}), elements(p));
}

TEST(BalanceSlots, UpdateReplacesOnlyTheMapsInOneText) {
    auto p = profile_with({{"wan0", 3}, {"wan1", 1}});
    model::Group single;
    single.name = "servers";
    single.egress = "wan0";
    p.groups.push_back(single);
    EXPECT_EQ(render_balance_update(p, {"wan1"}),
              "flush map inet vpngw bal_staff\n"
              "add element inet vpngw bal_staff { 0-3 : 0x00051001 }\n");
}

}  // namespace
}  // namespace vpngw::plan
