#pragma once

// The command line as documentation, read from the parser itself (app.cpp:
// describe_cli), so the man page and the shell completions can never
// disagree with --help.

#include <string>
#include <vector>

namespace vpngw::cli {

struct OptionDoc {
    std::vector<std::string> names;  // "-o", "--output"; a positional's name alone
    std::string description;
    bool positional = false;
    bool takes_value = false;  // false: a flag
    bool required = false;
};

struct CommandDoc {
    std::vector<std::string> path;  // {"peer", "add"}; empty for vpngw itself
    std::string description;
    std::string footer;  // the examples
    std::vector<OptionDoc> options;
    std::vector<CommandDoc> subcommands;
    bool hidden = false;  // internal commands: completed, not advertised

    std::string full_name() const;  // "vpngw peer add"
};

std::string man_page(const CommandDoc& root, const std::string& version);
std::string bash_completion(const CommandDoc& root);
std::string zsh_completion(const CommandDoc& root);

}  // namespace vpngw::cli
