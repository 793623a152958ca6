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

std::vector<Command> manual_commands(std::function<CommandDoc()> describe) {
    auto shell = std::make_shared<std::string>();
    return {
        {
            .name = "completion",
            .help = "Shell completion script (bash or zsh)",
            .footer = "Example:\n  source <(vpngw completion bash)\n"
                      "  vpngw completion zsh > \"${fpath[1]}/_vpngw\"",
            .options = {{.names = "shell",
                         .target = shell.get(),
                         .help = "bash or zsh",
                         .required = true,
                         .check = Check::one_of({"bash", "zsh"})}},
            .action =
                [describe, shell] {
                    auto doc = describe();
                    return print(*shell == "bash" ? bash_completion(doc) : zsh_completion(doc));
                },
        },
        {
            .name = "help-man",
            .help = "The vpngw(8) man page, in troff",
            .footer = "Example:\n  vpngw help-man | man -l -",
            .action = [describe] { return print(man_page(describe(), VPNGW_VERSION)); },
        },
    };
}

}  // namespace vpngw::cli
