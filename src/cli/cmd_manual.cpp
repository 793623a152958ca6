#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli_doc.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace vpngw::cli {

namespace {

int print(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
}

}  // namespace

void add_manual_commands(CLI::App& app, CommandContext& ctx) {
    // Both walk the finished app: registered last, every other command is in it.
    auto* completion = app.add_subcommand("completion", "Shell completion script (bash or zsh)");
    auto shell = std::make_shared<std::string>();
    completion->add_option("shell", *shell, "bash or zsh")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh"}));
    completion->footer(
        "Example:\n  source <(vpngw completion bash)\n"
        "  vpngw completion zsh > \"${fpath[1]}/_vpngw\"");
    completion->callback([&ctx, &app, shell] {
        ctx.action = [&app, shell] {
            auto doc = describe_cli(app);
            return print(*shell == "bash" ? bash_completion(doc) : zsh_completion(doc));
        };
    });

    auto* man = app.add_subcommand("help-man", "The vpngw(8) man page, in troff");
    man->footer("Example:\n  vpngw help-man | man -l -");
    man->callback([&ctx, &app] {
        ctx.action = [&app] { return print(man_page(describe_cli(app), VPNGW_VERSION)); };
    });
}

}  // namespace vpngw::cli
