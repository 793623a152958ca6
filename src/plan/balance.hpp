#pragma once

// Uplink load balancing, as pure values: how the numbers a balanced group's
// `numgen random mod TOTAL` draws map to uplink marks, given the uplinks the
// health monitor found down. Shared by the ruleset (nft_balance.cpp), the
// monitor's map update and `vpngw status`.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/profile.hpp"

namespace vpngw::plan {

// Numbers from..to (inclusive) select `uplink`.
struct BalanceSlot {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::string uplink;
    std::uint32_t mark = 0;
    std::uint32_t size() const { return to - from + 1; }
};

// The sum of the group's weights: the modulus of its numgen, fixed in the
// rule, so a health change rewrites only the map's elements.
std::uint32_t balance_total(const model::Group& group);

// The healthy uplinks share all TOTAL numbers in proportion to their weights
// (largest remainder), in the order the profile lists them. When every
// uplink of the group is down the full weights stay: sending the traffic
// somewhere beats dropping it, and the monitor may be what is wrong.
std::vector<BalanceSlot> balance_slots(const model::Profile& profile, const model::Group& group,
                                       const std::set<std::string>& down);

// Failover of a single-egress group: the uplink its new connections of
// family `f` use given the uplinks found down: its egress while that is not
// down; else the first entry of its `fallback` (by default every uplink, in
// profile order) that is not down and has a next hop of `f`, or
// model::kMainTable; else its egress still (as for balanced groups: the
// monitor may be what is wrong). Empty for a group without egress or a
// balanced one.
std::string effective_egress(const model::Profile& profile, const model::Group& group, Family f,
                             const std::set<std::string>& down);

// Group name -> the networks behind its enabled peers (`networks`).
using GroupNetworks = std::map<std::string, std::vector<Prefix>>;
// Those of the profile's own peers (what the monitor knows of).
GroupNetworks profile_group_networks(const model::Profile& profile);

// `10.8.1.0/24 : 0x00051001` etc., the elements of map egress4/egress6:
// every single-egress group's subnet of `f`, and the networks behind its
// peers, with the mark of its effective egress (none for the main table),
// sorted by prefix.
std::vector<std::string> egress_elements(const model::Profile& profile, Family f,
                                         const std::set<std::string>& down,
                                         const GroupNetworks& networks);

// Whether a single-egress group's egress uplink is health-checked, so the
// monitor rewrites the egress maps too.
bool egress_fails_over(const model::Profile& profile);

// bal_staff: one map per balanced group, used by its IPv4 and IPv6 rules.
std::string balance_map_name(const model::Group& group);

// `0-2 : 0x00051001` etc., the map's elements in nft syntax.
std::vector<std::string> balance_elements(const std::vector<BalanceSlot>& slots);

// nft commands that replace the elements of every balanced group's map,
// and of the egress maps when egress_fails_over (and nothing else), in one
// transaction: `flush map` + `add element` per map. Empty when neither.
std::string render_balance_update(const model::Profile& profile, const std::set<std::string>& down);

}  // namespace vpngw::plan
