#pragma once

// What keepalived's configuration claims on a fleet member with
// [cluster.vrrp] (fleet/ha_config.cpp renders it; docs/fleet.md "Speaking
// first on failover"): while MASTER it routes what WireGuard sends (UDP from
// a listen port) through this table, whose one route leaves by the VRRP
// uplink from the virtual address; its rule sits after vpngw's range
// (5000-5999). Profile validation refuses an uplink that claims the table.

#include <cstdint>

namespace vpngw::model {

inline constexpr std::uint32_t kVrrpSourceTable = 51999;
inline constexpr std::uint32_t kVrrpSourceRulePriority = 6000;

}  // namespace vpngw::model
