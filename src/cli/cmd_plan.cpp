#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "plan/desired.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/render.hpp"
#include "profile/loader.hpp"

namespace vpngw::cli {

struct PlanOptions {
    std::string profile;
    bool nft_only = false;
};

static int plan_profile(const PlanOptions& opt) {
    auto loaded = profile::load_file(opt.profile);
    print_diagnostics(loaded.diagnostics);
    if (!loaded.profile) return kExitFailure;
    const auto& p = *loaded.profile;
    std::string text =
        opt.nft_only ? plan::render_nft_ruleset(p) : plan::render_state(plan::desired_state(p));
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
}

void add_plan_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand("plan", "Show the kernel state a profile asks for");
    auto opt = std::make_shared<PlanOptions>();
    cmd->add_option("profile", opt->profile, "Profile file")->required();
    cmd->add_flag("--nft", opt->nft_only, "Print only vpngw's nftables ruleset (nft -f syntax)");
    cmd->footer(
        "Examples:\n  vpngw plan profiles/vps-gateway.toml\n"
        "  vpngw plan --nft profiles/vps-gateway.toml | nft -c -f -   # in a test namespace");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return plan_profile(*opt); }; });
}

}  // namespace vpngw::cli
