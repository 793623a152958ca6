#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "gateway/apply_profile.hpp"
#include "plan/desired.hpp"
#include "plan/nft_ruleset.hpp"
#include "plan/render.hpp"

namespace vpngw::cli {

namespace {

struct PlanOptions {
    gateway::Options gateway;
    bool nft_only = false;
    bool offline = false;
};

void print_text(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
}

int plan_profile(const PlanOptions& opt) {
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    const auto& profile = session->profile;
    if (opt.nft_only) {
        print_text(plan::render_nft_ruleset(profile));
        return kExitOk;
    }
    if (!opt.offline) {
        auto report = gateway::plan_up(*session, /*consume_peers=*/true);
        if (report) {
            if (report->ops.empty()) {
                std::printf("No changes: the kernel matches %s.\n",
                            opt.gateway.profile_path.c_str());
                return kExitOk;
            }
            for (const auto& op : report->ops) std::printf("%s\n", op.describe().c_str());
            std::printf("\n%zu change(s); `vpngw up %s` applies them.\n", report->ops.size(),
                        opt.gateway.profile_path.c_str());
            return kExitOk;
        }
        std::fprintf(stderr,
                     "note: cannot compare with the kernel (%s); showing the desired state\n",
                     report.error().message.c_str());
        // plan_up may have freed the peers: read them again (the profile's
        // diagnostics were printed above).
        session = open_session_or_report(opt.gateway, gateway::LockMode::none,
                                         gateway::StoredPeers::merged, [](const Diagnostics&) {});
        if (!session) return kExitFailure;
    }
    print_text(plan::render_state(plan::desired_state(session->profile)));
    return kExitOk;
}

}  // namespace

std::vector<Command> plan_commands() {
    auto opt = std::make_shared<PlanOptions>();
    auto options = gateway_options(opt->gateway);
    options.push_back({.names = "--nft",
                       .target = &opt->nft_only,
                       .help = "Print only vpngw's nftables ruleset (nft -f syntax)"});
    options.push_back({.names = "--offline",
                       .target = &opt->offline,
                       .help = "Do not read the kernel: list the whole desired state"});
    return {{
        .name = "plan",
        .help = "Show what `up` would change in the kernel (+ add, - remove, ~ change)",
        .footer = "Examples:\n  vpngw plan profiles/vps-gateway.toml\n"
                  "  vpngw plan --offline profiles/vps-gateway.toml\n"
                  "  vpngw plan --nft profiles/vps-gateway.toml > ruleset.nft",
        .options = std::move(options),
        .action = [opt] { return plan_profile(*opt); },
    }};
}

}  // namespace vpngw::cli
