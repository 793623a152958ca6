#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/log.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "health/monitor.hpp"

namespace vpngw::cli {

namespace {

struct MonitorOptions {
    gateway::Options gateway;
    bool once = false;
};

volatile std::sig_atomic_t g_stop = 0;
void on_stop(int) {
    g_stop = 1;
}

std::int64_t unix_now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

void print_round(const health::RoundReport& r, bool once) {
    for (const auto& c : r.changes) log::warn("uplink " + c);
    for (const auto& e : r.errors) log::error(e);
    if (r.maps_written) log::info("balance maps updated");
    if (!once) return;
    for (const auto& h : r.health)
        std::printf("%s\t%s\tfailures=%d\tsuccesses=%d%s%s\n", h.uplink.c_str(),
                    health::to_string(h.state), h.failures, h.successes,
                    h.last_error.empty() ? "" : "\t", h.last_error.c_str());
}

int run_monitor(const MonitorOptions& opt) {
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    const auto& profile = session->profile;
    if (health::probed_uplinks(profile).empty()) {
        std::fprintf(stderr, "no uplink of %s has a \"health\" check; nothing to monitor\n",
                     opt.gateway.profile_path.c_str());
        return kExitFailure;
    }
    health::RoundOptions round{.state_dir = session->paths.dir, .probe_all = opt.once};
    if (opt.once) {
        auto r = health::run_round(profile, round, unix_now());
        print_round(r, true);
        return r.errors.empty() ? kExitOk : kExitFailure;
    }
    std::signal(SIGTERM, on_stop);
    std::signal(SIGINT, on_stop);
    // The first round makes the kernel's maps match the state file, whatever
    // happened while no monitor ran.
    round.sync_maps = true;
    while (!g_stop) {
        auto r = health::run_round(profile, round, unix_now());
        print_round(r, false);
        round.sync_maps = false;
        int wait = health::seconds_to_next_probe(profile, r.health, unix_now());
        // A state file that cannot be written keeps every probe due: never spin.
        if (!r.errors.empty()) wait = std::max(wait, 1);
        for (int i = 0; i < wait * 10 && !g_stop; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return kExitOk;
}

}  // namespace

std::vector<Command> monitor_commands() {
    auto opt = std::make_shared<MonitorOptions>();
    auto options = gateway_options(opt->gateway);
    options.push_back({.names = "--once",
                       .target = &opt->once,
                       .help = "Probe every checked uplink once, update, and exit"});
    return {{
        .name = "monitor",
        .help = "Probe the uplinks' health and move balanced shares off those that fail",
        .footer =
            "Runs in the foreground (systemd: vpngw-monitor@.service). State goes to "
            "<state_dir>/health.tsv.\nExample:\n  vpngw monitor /etc/vpngw/office.toml --once",
        .options = std::move(options),
        .action = [opt] { return run_monitor(*opt); },
    }};
}

}  // namespace vpngw::cli
