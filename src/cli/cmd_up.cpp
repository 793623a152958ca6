#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/print.hpp"
#include "gateway/apply_profile.hpp"

namespace vpngw::cli {

namespace {

enum class Direction { up, down };

int run_apply(const gateway::Options& opt, Direction direction) {
    Diagnostics diags;
    auto session = gateway::open_session(opt, gateway::LockMode::exclusive, diags);
    print_diagnostics(diags);
    if (!session) {
        print_error(session.error());
        return kExitFailure;
    }
    auto progress = [](const ops::Op& op) { std::printf("%s\n", op.describe().c_str()); };
    auto report = direction == Direction::up ? gateway::up(*session, progress)
                                             : gateway::down(*session, progress);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    const char* verb = direction == Direction::up ? "up" : "down";
    if (report->ops.empty())
        std::printf("%s: nothing to do, the kernel already matches (0 changes)\n", verb);
    else
        std::printf("%s: %zu change(s) applied\n", verb, report->ops.size());
    return kExitOk;
}

}  // namespace

void add_up_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand("up", "Reconcile the kernel with a profile (as root)");
    auto opt = std::make_shared<gateway::Options>();
    add_gateway_options(cmd, *opt);
    cmd->footer("Example:\n  vpngw up /etc/vpngw/office.toml");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return run_apply(*opt, Direction::up); }; });
}

void add_down_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand("down", "Remove what vpngw created for a profile (as root)");
    auto opt = std::make_shared<gateway::Options>();
    add_gateway_options(cmd, *opt);
    cmd->footer("Example:\n  vpngw down /etc/vpngw/office.toml");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return run_apply(*opt, Direction::down); }; });
}

}  // namespace vpngw::cli
