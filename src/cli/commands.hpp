#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace vpngw::cli {

// Each subcommand registers itself on the app; when chosen it stores the work
// to do in `action`, which runs after parsing (and after logging is set up).
// Commands print; libraries below them only return values.
struct CommandContext {
    std::function<int()> action;
};

void add_check_command(CLI::App& app, CommandContext& ctx);
void add_plan_command(CLI::App& app, CommandContext& ctx);
void add_up_command(CLI::App& app, CommandContext& ctx);
void add_down_command(CLI::App& app, CommandContext& ctx);
void add_status_command(CLI::App& app, CommandContext& ctx);
void add_peer_command(CLI::App& app, CommandContext& ctx);
void add_confirm_command(CLI::App& app, CommandContext& ctx);  // confirm, rollback
void add_image_command(CLI::App& app, CommandContext& ctx);    // image build, cloud-init
void add_metrics_command(CLI::App& app, CommandContext& ctx);
void add_monitor_command(CLI::App& app, CommandContext& ctx);
void add_migrate_commands(CLI::App& app, CommandContext& ctx);  // import, export
void add_manual_commands(CLI::App& app, CommandContext& ctx);   // completion, help-man

}  // namespace vpngw::cli
