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
#include "gateway/peers.hpp"
#include "gateway/quota_clock.hpp"
#include "gateway/quota_watch.hpp"
#include "health/monitor.hpp"
#include "service_manager/journal.hpp"
#include "service_manager/notify.hpp"

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

// A change reads "wan1: up -> down (...)"; names never hold ':' (docs/profile.md).
service_manager::JournalFields change_fields(const std::string& change, const std::string& unit) {
    const auto name = change.substr(0, change.find(':'));
    const bool down = change.find("-> down") != std::string::npos;
    return {.op = down ? "uplink-down" : "uplink-up", .uplink = name, .unit = unit};
}

void print_round(const health::RoundReport& r, bool once, const std::string& unit) {
    for (const auto& c : r.changes) log::event("uplink " + c, change_fields(c, unit), true);
    for (const auto& e : r.errors) log::error(e);
    if (r.maps_written) log::info("balance maps updated");
    if (!once) return;
    for (const auto& h : r.health)
        std::printf("%s\t%s\tfailures=%d\tsuccesses=%d%s%s\n", h.uplink.c_str(),
                    health::to_string(h.state), h.failures, h.successes,
                    h.last_error.empty() ? "" : "\t", h.last_error.c_str());
}

// "wan0 up, wan1 down": the STATUS= line of vpngw-monitor@.
std::string round_status(const health::RoundReport& r) {
    std::string line;
    for (const auto& h : r.health)
        line += (line.empty() ? "" : ", ") + h.uplink + " " + health::to_string(h.state);
    return line;
}

std::chrono::sys_seconds clock_now() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Seconds between quota checks: a peer's quota restarts within this of its
// period's start.
constexpr int kQuotaCheckSeconds = 30;

// The peers with a quota as the profile and registry say now: read again
// only when their files changed since the last look.
class QuotaPeers {
  public:
    QuotaPeers(const gateway::Options& options, const gateway::Session& session)
        : options_(options),
          watch_(gateway::peer_sources(options.profile_path, session.paths.dir),
                 std::chrono::system_clock::now()),
          peers_(gateway::peers_with_quotas(session.profile)) {
        watch_.mark_unsure();  // the session was read before the first stamp
    }

    const std::vector<model::Peer>& current() {
        if (!watch_.changed(std::chrono::system_clock::now())) return peers_;
        Diagnostics diags;
        auto s = gateway::open_session(options_, gateway::LockMode::none, diags);
        if (!s) {
            log::error("re-reading the peers for their quotas: " + s.error().str() +
                       " (the quotas as read before stay in use)");
            watch_.mark_unsure();
            return peers_;
        }
        peers_ = gateway::peers_with_quotas(s->profile);
        return peers_;
    }

  private:
    gateway::Options options_;
    gateway::ChangeWatch watch_;
    std::vector<model::Peer> peers_;
};

// Resets the quotas whose period began since the last call.
void reset_quotas(gateway::QuotaClock& clock, const std::vector<model::Peer>& peers) {
    if (auto reset = clock.tick(peers, clock_now()); !reset)
        log::error("resetting quotas: " + reset.error().message);
    else
        for (const auto& q : *reset) log::info("quota " + q + " reset: a new period began");
}

// Probes run one after another, each bounded by its timeout: the slowest round
// is their sum. The watchdog must outlast it, whatever WatchdogSec= says.
void keep_watchdog_above_slowest_round(const model::Profile& profile) {
    std::chrono::seconds slowest{0};
    for (const auto* u : health::probed_uplinks(profile))
        slowest += std::chrono::seconds(u->health->timeout);
    service_manager::watchdog_at_least(2 * slowest + std::chrono::seconds(10));
}

// Waits until the next probe is due, pinging the watchdog as often as it asks.
void sleep_pinging(std::chrono::seconds wait) {
    using Clock = std::chrono::steady_clock;
    const auto interval = service_manager::watchdog_interval();
    const auto end = Clock::now() + wait;
    auto last_ping = Clock::now();
    while (!g_stop && Clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (interval && Clock::now() - last_ping >= *interval) {
            service_manager::watchdog_ping();
            last_ping = Clock::now();
        }
    }
}

int run_monitor(const MonitorOptions& opt) {
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    const auto& profile = session->profile;
    // Expired peers leave the kernel without a person (issue 17): checked
    // every round, and a round at least every kExpiryCheck.
    auto live = gateway::system_gateway(opt.gateway);
    auto expire = [&] {
        auto x = gateway::expire_due_peers(opt.gateway, *live);
        for (const auto& name : x.disabled)
            std::printf("expiry\tpeer %s disabled: its expiry has passed\n", name.c_str());
        for (const auto& e : x.errors) std::fprintf(stderr, "expiry: %s\n", e.c_str());
        std::fflush(stdout);
        return x.errors.empty();
    };
    const bool probes = !health::probed_uplinks(profile).empty();
    health::RoundOptions round{.state_dir = session->paths.dir, .probe_all = opt.once};
    if (opt.once) {
        bool ok = expire();
        if (!probes) return ok ? kExitOk : kExitFailure;
        auto r = health::run_round(profile, round, unix_now());
        print_round(r, true, "");
        return r.errors.empty() && ok ? kExitOk : kExitFailure;
    }
    std::signal(SIGTERM, on_stop);
    std::signal(SIGINT, on_stop);
    // The first round makes the kernel's maps match the state file, whatever
    // happened while no monitor ran.
    round.sync_maps = true;
    const auto unit = service_manager::unit_for_profile(opt.gateway.profile_path);
    keep_watchdog_above_slowest_round(profile);
    constexpr int kExpiryCheck = 20;  // seconds: expiry is enforced within 60 s
    bool first = true;
    gateway::QuotaClock quota_clock(clock_now());
    QuotaPeers quota_peers(opt.gateway, *session);
    while (!g_stop) {
        expire();
        const auto& with_quotas = quota_peers.current();
        const bool quotas = !with_quotas.empty();
        if (quotas) reset_quotas(quota_clock, with_quotas);
        int wait = kExpiryCheck;
        if (quotas) wait = std::min(wait, kQuotaCheckSeconds);
        std::string state =
            quotas ? "checking peer expiry and quota periods" : "checking peer expiry";
        if (probes) {
            auto r = health::run_round(profile, round, unix_now());
            print_round(r, false, unit);
            round.sync_maps = false;
            wait = std::min(wait, health::seconds_to_next_probe(profile, r.health, unix_now()));
            // A state file that cannot be written keeps every probe due: never spin.
            if (!r.errors.empty()) wait = std::max(wait, 1);
            state = round_status(r);
        }
        // Keep-alives only from here, between rounds: a round that hangs (or a
        // stopped process) misses them and systemd restarts the monitor.
        service_manager::watchdog_ping();
        if (first)
            service_manager::ready(probes
                                       ? "monitoring uplinks and peer expiry; maps in sync "
                                         "with health.tsv"
                                       : "monitoring peer expiry (no uplink has a health check)");
        first = false;
        service_manager::status(state);
        sleep_pinging(std::chrono::seconds(wait));
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
        .help = "Probe the uplinks' health, move balanced shares off those that fail, and "
                "disable peers whose expiry has passed",
        .footer =
            "Runs in the foreground (systemd: vpngw-monitor@.service). State goes to "
            "<state_dir>/health.tsv.\nExample:\n  vpngw monitor /etc/vpngw/office.toml --once",
        .options = std::move(options),
        .action = [opt] { return run_monitor(*opt); },
    }};
}

}  // namespace vpngw::cli
