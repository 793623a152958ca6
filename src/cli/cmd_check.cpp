#include <cstdio>
#include <memory>
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

std::vector<Command> check_commands() {
    struct Args {
        std::vector<std::string> paths;
        bool quiet = false;
    };
    auto args = std::make_shared<Args>();
    return {{
        .name = "check",
        .help = "Validate profiles; exit 1 when any has errors",
        .footer = "Example:\n  vpngw check profiles/vps-gateway.toml",
        .options = {{.names = "profile",
                     .target = &args->paths,
                     .help = "Profile file(s) to validate",
                     .required = true},
                    {.names = "-q,--quiet",
                     .target = &args->quiet,
                     .help = "Print only diagnostics"}},
        .action = [args] { return check_profiles(args->paths, args->quiet); },
    }};
}

}  // namespace vpngw::cli
