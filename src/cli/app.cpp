#include "cli/app.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace vpngw::cli {

static void setup_logging(int verbosity) {
    auto logger = spdlog::stderr_color_mt("vpngw");
    logger->set_pattern("%^%l%$: %v");
    logger->set_level(verbosity >= 2   ? spdlog::level::debug
                      : verbosity == 1 ? spdlog::level::info
                                       : spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

int run(int argc, char** argv) {
    CLI::App app{"vpngw: a WireGuard VPN gateway from one TOML profile"};
    app.set_version_flag("--version", std::string("vpngw ") + VPNGW_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "More log output (repeat for debug)");

    CommandContext ctx;
    add_check_command(app, ctx);
    add_plan_command(app, ctx);
    add_up_command(app, ctx);
    add_down_command(app, ctx);
    add_status_command(app, ctx);
    add_monitor_command(app, ctx);
    add_peer_command(app, ctx);
    add_confirm_command(app, ctx);
    add_image_command(app, ctx);
    add_metrics_command(app, ctx);
    add_migrate_commands(app, ctx);
    add_manual_commands(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }
    setup_logging(verbosity);
    return ctx.action ? ctx.action() : kExitUsage;
}

}  // namespace vpngw::cli
