#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/json_view.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "cli/status_text.hpp"
#include "gateway/status.hpp"

namespace vpngw::cli {

namespace {

// Scripts can tell "running as the profile says" from "the kernel drifted".
constexpr int kExitDrift = 3;

struct StatusOptions {
    gateway::Options gateway;
    bool json = false;
};

int show_status(const StatusOptions& opt) {
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.gateway);
    const auto report = gateway::gather_status(*session, *live);
    const std::string text = opt.json ? status_json(report) : status_text(report);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!report.drift.known) return kExitFailure;
    return report.drift.changes.empty() ? kExitOk : kExitDrift;
}

}  // namespace

void add_status_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand(
        "status",
        "Interfaces, peers (handshake, transfer), conntrack, drops, pending apply, drift");
    auto opt = std::make_shared<StatusOptions>();
    add_gateway_options(cmd, opt->gateway, "/etc/vpngw/vpngw.toml");
    cmd->add_flag("--json", opt->json, "Machine-readable output (same exit status)");
    cmd->footer(
        "Exit status: 0 the kernel matches the profile, 3 it drifted (the output lists what\n"
        "`vpngw up` would change), 1 error (including: the kernel could not be read).\n"
        "Example:\n  vpngw status /etc/vpngw/office.toml\n  vpngw status --json | jq .peers");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return show_status(*opt); }; });
}

}  // namespace vpngw::cli
