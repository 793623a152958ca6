#pragma once

// One round of `vpngw monitor`: probe the uplinks whose health check is due,
// update their state, and when the set of down uplinks changes rewrite the
// elements of the balance maps and, for single-egress groups whose uplink is
// probed, of the egress maps (and nothing else) in one nft transaction.
// Connections already pinned by their ct mark keep their uplink; those on a
// dead uplink are left to time out (their replies cannot come back anyway),
// so healthy uplinks' connections are never touched.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "health/state.hpp"
#include "model/profile.hpp"
#include "util/result.hpp"

namespace vpngw::health {

struct RoundOptions {
    std::string state_dir;
    bool probe_all = false;  // ignore intervals (`--once`)
    bool sync_maps = false;  // rewrite the maps even without a change (first round of a loop)
};

struct RoundReport {
    std::vector<UplinkHealth> health;  // every probed uplink, profile order
    std::vector<std::string> changes;  // "wan1: up -> down (no echo reply ...)"
    bool maps_written = false;
    std::vector<std::string> errors;  // map update or state file failures
};

// The uplinks with a health check, in profile order.
std::vector<const model::Uplink*> probed_uplinks(const model::Profile& profile);

// The address an uplink's health check pings: its target, else its gateway.
std::optional<IpAddress> probe_address(const model::Uplink& u);

RoundReport run_round(const model::Profile& profile, const RoundOptions& options, std::int64_t now);

// Seconds until the next probe is due (0: one is due now).
int seconds_to_next_probe(const model::Profile& profile, const std::vector<UplinkHealth>& health,
                          std::int64_t now);

}  // namespace vpngw::health
