#include "gateway/status.hpp"
#include "health/state_file.hpp"
#include "plan/balance.hpp"

namespace vpngw::gateway {

void uplink_status(const Session& session, StatusReport& report) {
    const auto& profile = session.profile;
    std::vector<health::UplinkHealth> known;
    if (auto read = health::read_health_file(session.paths.health_file()))
        known = std::move(*read);
    else
        report.notes.push_back(read.error().message);
    std::set<std::string> down;
    for (const auto& u : profile.uplinks) {
        UplinkStatus s;
        s.name = u.name;
        s.device = u.device;
        s.checked = u.health.has_value();
        for (const auto& h : known)
            if (h.uplink == u.name && s.checked) {
                s.health = health::to_string(h.state);
                s.last_probe = h.last_probe;
                s.failures = h.failures;
                s.last_error = h.last_error;
                if (h.state == health::State::down) down.insert(u.name);
            }
        report.uplinks.push_back(std::move(s));
    }
    // The shares the monitor wrote into the maps: computed from the same
    // state with the same function, so status and kernel agree.
    for (const auto& g : profile.groups) {
        if (g.balance.empty()) continue;
        BalanceStatus b;
        b.group = g.name;
        b.total = plan::balance_total(g);
        const auto slots = plan::balance_slots(profile, g, down);
        for (const auto& share : g.balance) {
            BalanceShare s{share.uplink, share.weight, 0, 0};
            for (const auto& slot : slots)
                if (slot.uplink == share.uplink) s.numbers += slot.size();
            s.percent = b.total ? 100.0 * s.numbers / b.total : 0;
            b.shares.push_back(s);
        }
        report.balance.push_back(std::move(b));
    }
}

}  // namespace vpngw::gateway
