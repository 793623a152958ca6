#include <spdlog/spdlog.h>

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

void add_pending_options(CLI::App* cmd, PendingCommand& opt) {
    cmd->add_option("profile", opt.profile, "Profile whose [gateway].state_dir to use");
    cmd->add_option("--state-dir", opt.state_dir, "State directory (default: /var/lib/vpngw)");
}

}  // namespace

void add_confirm_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand("confirm", "Keep the state applied by `up --confirm`");
    auto opt = std::make_shared<PendingCommand>();
    add_pending_options(cmd, *opt);
    cmd->footer("Example:\n  vpngw up /etc/vpngw/office.toml --confirm 120 && vpngw confirm");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return run_confirm(*opt); }; });

    auto* rb = app.add_subcommand("rollback", "Undo the apply pending confirmation, now");
    auto rb_opt = std::make_shared<PendingCommand>();
    add_pending_options(rb, *rb_opt);
    rb->footer("Example:\n  vpngw rollback --state-dir /var/lib/vpngw");
    rb->callback([&ctx, rb_opt] { ctx.action = [rb_opt] { return run_rollback(*rb_opt); }; });

    // The detached revert timer `up --confirm` starts (see txn/revert_timer.hpp).
    auto* timer = app.add_subcommand(txn::kRevertTimerCommand, "");
    timer->group("");  // hidden
    auto args = std::make_shared<std::tuple<std::string, std::int64_t, std::string>>();
    timer->add_option("state_dir", std::get<0>(*args))->required();
    timer->add_option("deadline", std::get<1>(*args))->required();
    timer->add_option("id", std::get<2>(*args))->required();
    timer->callback([&ctx, args] {
        ctx.action = [args] {
            ::unsetenv("VPNGW_FAIL_AT");
            auto st =
                txn::run_revert_timer(std::get<0>(*args), std::get<1>(*args), std::get<2>(*args));
            return st ? kExitOk : kExitFailure;
        };
    });
}

}  // namespace vpngw::cli
