#include "health/monitor.hpp"

#include <algorithm>

#include "exec/balance_maps.hpp"
#include "health/probe.hpp"
#include "health/state_file.hpp"
#include "plan/balance.hpp"
#include "store/state_paths.hpp"

namespace vpngw::health {

namespace {

// Balanced groups' maps, or the egress maps when a single-egress group's
// uplink is probed (its failover).
bool follows_health(const model::Profile& profile) {
    return plan::egress_fails_over(profile) ||
           std::any_of(profile.groups.begin(), profile.groups.end(),
                       [](const model::Group& g) { return !g.balance.empty(); });
}

}  // namespace

std::optional<IpAddress> probe_address(const model::Uplink& u) {
    const auto& h = *u.health;
    if (h.probe == model::HealthCheck::Probe::address) return h.target;
    return u.gateway ? u.gateway : u.gateway6;
}

std::vector<const model::Uplink*> probed_uplinks(const model::Profile& profile) {
    std::vector<const model::Uplink*> out;
    for (const auto& u : profile.uplinks)
        if (u.health) out.push_back(&u);
    return out;
}

RoundReport run_round(const model::Profile& profile, const RoundOptions& options,
                      std::int64_t now) {
    RoundReport report;
    const std::string file = store::StatePaths{options.state_dir}.health_file();
    std::vector<UplinkHealth> before;
    if (auto read = read_health_file(file))
        before = std::move(*read);
    else
        report.errors.push_back(read.error().message + " (starting afresh)");

    for (const auto* u : probed_uplinks(profile)) {
        UplinkHealth h;
        h.uplink = u->name;
        for (const auto& old : before)
            if (old.uplink == u->name) h = old;
        const auto& check = *u->health;
        const bool due =
            options.probe_all || h.last_probe == 0 || now - h.last_probe >= check.interval;
        if (due) {
            const auto address = probe_address(*u);
            Status result = address ? probe_echo({*address, u->fwmark, u->device},
                                                 std::chrono::seconds(check.timeout))
                                    : Status(Error{"no address to probe"});
            const State was = h.state;
            const std::string error = result ? "" : result.error().message;
            if (record_probe(h, check, static_cast<bool>(result), now, error))
                report.changes.push_back(u->name + ": " + to_string(was) + " -> " +
                                         to_string(h.state) +
                                         (error.empty() ? "" : " (" + error + ")"));
        }
        report.health.push_back(std::move(h));
    }

    // The file first: an `up` renders the maps from it, so even when the map
    // update fails below, the next `up` puts the right shares in place.
    if (auto st = write_health_file(file, report.health); !st)
        report.errors.push_back(st.error().message);

    const auto down_before = down_uplinks(before);
    const auto down_now = down_uplinks(report.health);
    if ((down_before != down_now || options.sync_maps) && follows_health(profile)) {
        if (auto st = exec::write_balance_maps(plan::render_balance_update(profile, down_now)); st)
            report.maps_written = true;
        else
            report.errors.push_back("updating the balance maps: " + st.error().message);
    }
    return report;
}

int seconds_to_next_probe(const model::Profile& profile, const std::vector<UplinkHealth>& health,
                          std::int64_t now) {
    std::int64_t wait = 3600;
    for (const auto* u : probed_uplinks(profile)) {
        std::int64_t last = 0;
        for (const auto& h : health)
            if (h.uplink == u->name) last = h.last_probe;
        wait = std::min(wait, last + u->health->interval - now);
    }
    // A probe that waited its whole timeout may leave the next one due at
    // once: probes then keep to their interval, and a dead uplink is found
    // after fail_after x interval (+ the last probe's timeout).
    return static_cast<int>(std::max<std::int64_t>(wait, 0));
}

}  // namespace vpngw::health
