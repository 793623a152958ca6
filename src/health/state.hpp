#pragma once

// The health of each probed uplink and the rule that moves it between up and
// down: `fail_after` consecutive failed probes take it down, `recover_after`
// consecutive successes bring it back. Pure.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "model/profile.hpp"

namespace vpngw::health {

enum class State { unknown, up, down };
const char* to_string(State s);

struct UplinkHealth {
    std::string uplink;
    State state = State::unknown;
    int failures = 0;             // consecutive failed probes
    int successes = 0;            // consecutive successful probes
    std::int64_t last_probe = 0;  // unix seconds; 0 = never probed
    std::string last_error;       // of the last failed probe
};

// Counts one probe result; returns whether the state changed. An uplink
// never probed is "unknown" and counts as up for the balance maps; its first
// success makes it "up" at once, while going down always takes fail_after.
bool record_probe(UplinkHealth& h, const model::HealthCheck& check, bool ok, std::int64_t now,
                  const std::string& error = "");

// The uplinks whose state is down.
std::set<std::string> down_uplinks(const std::vector<UplinkHealth>& all);

}  // namespace vpngw::health
