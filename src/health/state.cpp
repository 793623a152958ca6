#include "health/state.hpp"

namespace vpngw::health {

const char* to_string(State s) {
    switch (s) {
        case State::up:
            return "up";
        case State::down:
            return "down";
        case State::unknown:
            break;
    }
    return "unknown";
}

bool record_probe(UplinkHealth& h, const model::HealthCheck& check, bool ok, std::int64_t now,
                  const std::string& error) {
    h.last_probe = now;
    const State before = h.state;
    if (ok) {
        h.failures = 0;
        ++h.successes;
        h.last_error.clear();
        if (h.state == State::unknown ||
            (h.state == State::down && h.successes >= check.recover_after))
            h.state = State::up;
    } else {
        h.successes = 0;
        ++h.failures;
        h.last_error = error;
        if (h.failures >= check.fail_after) h.state = State::down;
    }
    return h.state != before;
}

std::set<std::string> down_uplinks(const std::vector<UplinkHealth>& all) {
    std::set<std::string> out;
    for (const auto& h : all)
        if (h.state == State::down) out.insert(h.uplink);
    return out;
}

}  // namespace vpngw::health
