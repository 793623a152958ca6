#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "profile/loader.hpp"
#include "store/state_lock.hpp"
#include "txn/pending.hpp"
#include "txn/revert_timer.hpp"

namespace vpngw::cli {

namespace {

// `vpngw confirm` and `vpngw rollback` find the state directory from
// --state-dir, else from a profile's [gateway].state_dir, else the default.
struct PendingCommand {
    std::string profile;
    std::string state_dir;
};

Result<std::string> state_dir_of(const PendingCommand& cmd) {
    if (!cmd.state_dir.empty()) return cmd.state_dir;
    if (cmd.profile.empty()) return std::string(model::Gateway{}.state_dir);
    auto loaded = profile::load_file(cmd.profile);
    if (!loaded.profile) {
        print_diagnostics(loaded.diagnostics);
        return Error{"cannot read the state directory from the profile", {cmd.profile}};
    }
    return loaded.profile->gateway.state_dir;
}

Result<store::StateLock> lock(const std::string& dir) {
    return store::StateLock::acquire(dir, std::chrono::seconds(30));
}

int run_confirm(const PendingCommand& cmd) {
    auto dir = state_dir_of(cmd);
    if (!dir) {
        print_error(dir.error());
        return kExitFailure;
    }
    auto held = lock(*dir);
    if (!held) {
        print_error(held.error());
        return kExitFailure;
    }
    const store::StatePaths paths{*dir};
    auto confirmed = txn::confirm_pending(paths);
    if (!confirmed) {
        print_error(confirmed.error());
        return kExitFailure;
    }
    if (!*confirmed) {
        std::fprintf(stderr,
                     "nothing is pending confirmation in %s (already confirmed, or reverted: "
                     "see %s)\n",
                     dir->c_str(), paths.revert_log_file().c_str());
        return kExitFailure;
    }
    std::printf("confirmed: the state applied from %s stays\n", (*confirmed)->profile.c_str());
    return kExitOk;
}

int run_rollback(const PendingCommand& cmd) {
    auto dir = state_dir_of(cmd);
    if (!dir) {
        print_error(dir.error());
        return kExitFailure;
    }
    ::unsetenv("VPNGW_FAIL_AT");  // the revert must not inject the apply's faults
    auto held = lock(*dir);
    if (!held) {
        print_error(held.error());
        return kExitFailure;
    }
    store::StatePaths paths{*dir};
    auto reverted = txn::revert_pending(paths);
    if (!reverted) {
        print_error(reverted.error());
        return kExitFailure;
    }
    if (!*reverted) {
        std::fprintf(stderr, "nothing is pending confirmation in %s\n", dir->c_str());
        return kExitFailure;
    }
    const auto& r = **reverted;
    std::string line = "rollback: reverted " + r.apply.profile + " (" + std::to_string(r.undone) +
                       " operation(s) undone)";
    for (const auto& f : r.failures) line += "\n  could not undo: " + f;
    txn::log_revert(paths, line);
    std::printf("%s\n", line.c_str());
    return r.failures.empty() ? kExitOk : kExitFailure;
}

std::vector<Option> pending_options(PendingCommand& opt) {
    return {
        {.names = "profile",
         .target = &opt.profile,
         .help = "Profile whose [gateway].state_dir to use"},
        {.names = "--state-dir",
         .target = &opt.state_dir,
         .help = "State directory (default: /var/lib/vpngw)"},
    };
}

// What `up --confirm` passes to the detached revert timer (see txn/revert_timer.hpp).
struct TimerArgs {
    std::string state_dir;
    std::int64_t deadline = 0;
    std::string id;
};

}  // namespace

std::vector<Command> confirm_commands() {
    auto confirm = std::make_shared<PendingCommand>();
    auto rollback = std::make_shared<PendingCommand>();
    auto timer = std::make_shared<TimerArgs>();
    return {
        {
            .name = "confirm",
            .help = "Keep the state applied by `up --confirm`",
            .footer = "Example:\n  vpngw up /etc/vpngw/office.toml --confirm 120 && vpngw confirm",
            .options = pending_options(*confirm),
            .action = [confirm] { return run_confirm(*confirm); },
        },
        {
            .name = "rollback",
            .help = "Undo the apply pending confirmation, now",
            .footer = "Example:\n  vpngw rollback --state-dir /var/lib/vpngw",
            .options = pending_options(*rollback),
            .action = [rollback] { return run_rollback(*rollback); },
        },
        {
            .name = txn::kRevertTimerCommand,
            .options = {{.names = "state_dir", .target = &timer->state_dir, .required = true},
                        {.names = "deadline", .target = &timer->deadline, .required = true},
                        {.names = "id", .target = &timer->id, .required = true}},
            .action =
                [timer] {
                    ::unsetenv("VPNGW_FAIL_AT");
                    auto st =
                        txn::run_revert_timer(timer->state_dir, timer->deadline, timer->id);
                    return st ? kExitOk : kExitFailure;
                },
            .hidden = true,
        },
    };
}

}  // namespace vpngw::cli
