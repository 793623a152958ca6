#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/log.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "gateway/apply_profile.hpp"
#include "guard/lockout.hpp"
#include "service_manager/journal.hpp"
#include "service_manager/notify.hpp"

namespace vpngw::cli {

namespace {

enum class Direction { up, down };

struct UpCommand {
    gateway::Options gateway;
    bool check = false;
    bool force = false;
    int confirm_seconds = 0;  // 0: apply for good
};

std::string clock_time(std::chrono::seconds from_now) {
    std::time_t t = std::time(nullptr) + from_now.count();
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

std::optional<guard::SshConnection> ssh_connection() {
    const char* value = std::getenv("SSH_CONNECTION");
    auto ssh = guard::parse_ssh_connection(value);
    if (value && *value && !ssh)
        log::warn(std::string("cannot parse SSH_CONNECTION=\"") + value +
                  "\"; the lockout guard ignores it");
    return ssh;
}

int run_check(const UpCommand& cmd) {
    // No lock: --check writes nothing, not even the state directory.
    auto session = open_session_or_report(cmd.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    auto report = gateway::check_up(*session, ssh_connection());
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    print_diagnostics(report->problems);
    if (report->ops.empty())
        std::printf("up would change nothing: the kernel matches %s\n",
                    cmd.gateway.profile_path.c_str());
    else {
        std::printf("up would run %zu operation(s):\n", report->ops.size());
        for (const auto& op : report->ops) std::printf("%s\n", op.describe().c_str());
    }
    std::size_t errors = report->problems.error_count();
    if (errors) {
        std::printf("check: %zu problem(s); nothing was changed\n", errors);
        return kExitFailure;
    }
    std::printf("check: ok (the kernel accepted the firewall; nothing was changed)\n");
    return kExitOk;
}

void print_report_notes(const gateway::ChangeReport& report) {
    if (report.interrupted)
        log::warn("found the record of an interrupted run: " + *report.interrupted +
                  "; reconciling");
    for (const auto& n : report.notes) log::warn(n);
}

int run_apply(const UpCommand& cmd, Direction direction) {
    if (direction == Direction::up && cmd.check) return run_check(cmd);
    // `down` deletes whole links and the whole table: it needs no stored peer,
    // and reading (and merging) 50,000 of them is ~27 MiB of heap. `up` reads
    // them only when it cannot prove that nothing changed since the last `up`.
    auto session = open_session_or_report(
        cmd.gateway, gateway::LockMode::exclusive,
        direction == Direction::down ? gateway::StoredPeers::none : gateway::StoredPeers::deferred);
    if (!session) return kExitFailure;
    const char* verb = direction == Direction::up ? "up" : "down";
    // vpngw@.service is Type=notify: these lines are its `systemctl status`.
    service_manager::status(std::string(verb) + ": applying " + cmd.gateway.profile_path);
    auto progress = [](const ops::Op& op) {
        std::printf("%s\n", op.describe().c_str());
        std::fflush(stdout);
    };
    Result<gateway::ChangeReport> report = Error{};
    if (direction == Direction::up) {
        gateway::UpOptions options;
        options.progress = progress;
        options.force = cmd.force;
        options.ssh = ssh_connection();
        if (cmd.confirm_seconds > 0) options.confirm = std::chrono::seconds(cmd.confirm_seconds);
        Diagnostics late;  // found reading the registry's peers
        options.diagnostics = &late;
        report = gateway::up(*session, options);
        print_diagnostics(late);
    } else {
        report = gateway::down(*session, progress);
    }
    if (!report) {
        service_manager::status(std::string(verb) + ": failed: " + report.error().str());
        print_error(report.error());
        return kExitFailure;
    }
    print_report_notes(*report);
    if (report->proven)
        log::info(
            "nothing changed since the last up: proven from its record (noop-proof in the "
            "state directory) without planning the peers");
    char summary[160];
    if (report->ops.empty()) {
        std::snprintf(summary, sizeof summary,
                      "%s: nothing to do, the kernel already matches (0 changes)", verb);
    } else if (report->pending) {
        auto left = report->pending->left;
        std::snprintf(
            summary, sizeof summary,
            "%s: %zu change(s) applied; will revert at %s unless `vpngw confirm` (%lld s)", verb,
            report->ops.size(), clock_time(left).c_str(), static_cast<long long>(left.count()));
    } else {
        std::snprintf(summary, sizeof summary, "%s: %zu change(s) applied", verb,
                      report->ops.size());
    }
    std::printf("%s\n", summary);
    std::fflush(stdout);
    log::record(summary,
                {.op = verb, .unit = service_manager::unit_for_profile(cmd.gateway.profile_path)});
    // READY=1 only now, after the kernel took the whole apply: units ordered
    // after vpngw@ start with the gateway in place.
    if (direction == Direction::up) service_manager::ready(summary);
    return kExitOk;
}

}  // namespace

std::vector<Command> up_commands() {
    auto up = std::make_shared<UpCommand>();
    auto up_options = gateway_options(up->gateway);
    up_options.push_back(
        {.names = "--check",
         .target = &up->check,
         .help = "Validate everything (the kernel checks the firewall) and change nothing"});
    up_options.push_back({.names = "--confirm",
                          .target = &up->confirm_seconds,
                          .help = "Revert automatically after SECONDS unless `vpngw confirm` runs",
                          .type_name = "SECONDS",
                          .check = Check::range(1, 86400)});
    up_options.push_back(
        {.names = "--force",
         .target = &up->force,
         .help = "Apply even when the lockout guard says management would be cut"});
    auto down = std::make_shared<UpCommand>();
    return {
        {
            .name = "up",
            .help = "Reconcile the kernel with a profile (as root)",
            .footer = "Examples:\n  vpngw up /etc/vpngw/office.toml --check\n"
                      "  vpngw up /etc/vpngw/office.toml --confirm 120 && vpngw confirm\n"
                      "See docs/safety.md before applying on a remote server.",
            .options = std::move(up_options),
            .action = [up] { return run_apply(*up, Direction::up); },
        },
        {
            .name = "down",
            .help = "Remove what vpngw created for a profile (as root)",
            .footer = "Example:\n  vpngw down /etc/vpngw/office.toml",
            .options = gateway_options(down->gateway),
            .action = [down] { return run_apply(*down, Direction::down); },
        },
    };
}

}  // namespace vpngw::cli
