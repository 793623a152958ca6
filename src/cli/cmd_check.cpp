#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "profile/loader.hpp"

namespace vpngw::cli {

static int check_profiles(const std::vector<std::string>& paths, bool quiet) {
    int status = kExitOk;
    for (const auto& path : paths) {
        auto result = profile::load_file(path);
        print_diagnostics(result.diagnostics);
        const auto errors = result.diagnostics.error_count();
        const auto warnings = result.diagnostics.warning_count();
        if (errors > 0) status = kExitFailure;
        if (!quiet || errors > 0)
            std::fprintf(errors > 0 ? stderr : stdout, "%s: %s (%zu error%s, %zu warning%s)\n",
                         path.c_str(), errors > 0 ? "invalid" : "ok", errors,
                         errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    return status;
}

void add_check_command(CLI::App& app, CommandContext& ctx) {
    auto* cmd = app.add_subcommand("check", "Validate profiles; exit 1 when any has errors");
    auto paths = std::make_shared<std::vector<std::string>>();
    auto quiet = std::make_shared<bool>(false);
    cmd->add_option("profile", *paths, "Profile file(s) to validate")->required();
    cmd->add_flag("-q,--quiet", *quiet, "Print only diagnostics");
    cmd->footer("Example:\n  vpngw check profiles/vps-gateway.toml");
    cmd->callback([&ctx, paths, quiet] {
        ctx.action = [paths, quiet] { return check_profiles(*paths, *quiet); };
    });
}

}  // namespace vpngw::cli
