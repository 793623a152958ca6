#pragma once

// `vpngw cluster health`: keepalived's track script. A member may hold the
// virtual address only while it can serve: every WireGuard interface of the
// profile exists and is up (a dead wireguard-go takes its TUN device with
// it), the VRRP uplink's device is up, the uplink's routing table holds the
// routes vpngw puts there, and, when the uplink has a [uplink.health] check,
// one probe through the uplink is answered. The verdict is pure (judge_health,
// unit-tested); gather_health reads the kernel and sends the probe.

#include <optional>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "state/kernel_state.hpp"
#include "util/result.hpp"

namespace vpngw::fleet {

struct HealthFacts {
    std::vector<state::Link> links;    // every link of the namespace
    std::vector<state::Route> routes;  // every route, all tables
    // The uplink probe's outcome; nullopt when the uplink has no health check.
    std::optional<Status> probe;
};

// What keeps this member from serving, one line each ("wgfleet0 is missing");
// empty: healthy. Needs [cluster.vrrp] (the uplink it names).
Result<std::vector<std::string>> judge_health(const model::Profile& profile,
                                              const HealthFacts& facts);

// Reads links and routes over rtnetlink and probes the VRRP uplink.
Result<HealthFacts> gather_health(const model::Profile& profile);

}  // namespace vpngw::fleet
