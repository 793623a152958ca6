#pragma once

// The command line as data. Each cmd_*.cpp describes its subcommands with
// these plain structs (like the command table of wireguard-tools' wg.c);
// app.cpp alone turns the table into a CLI11 parser. CLI11 is a large
// header-only library: keeping it out of the command files keeps them cheap
// to compile.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vpngw::cli {

// Where a parsed value goes. The value belongs to the command (held by a
// shared_ptr its action also holds), so the pointer outlives the parse. A
// bool is a flag; an optional string is set only when the option is given.
using Target = std::variant<std::string*, std::optional<std::string>*, std::vector<std::string>*,
                            bool*, int*, std::int64_t*>;

// What a value must be before the action runs.
struct Check {
    enum class Kind { none, existing_file, range, one_of };
    Kind kind = Kind::none;
    int min = 0, max = 0;              // range, inclusive
    std::vector<std::string> choices;  // one_of

    static Check existing_file() { return {Kind::existing_file}; }
    static Check range(int min, int max) { return {Kind::range, min, max}; }
    static Check one_of(std::vector<std::string> choices) {
        return {Kind::one_of, 0, 0, std::move(choices)};
    }
};

struct Option {
    std::string names;  // "-o,--output", "--json"; a positional: its name alone ("profile")
    Target target;
    std::string help;
    bool required = false;
    bool show_default = false;  // --help shows the value the target holds before parsing
    std::string env;            // environment variable read when the option is absent
    std::string type_name;      // "SECONDS" instead of the type's own name
    Check check;
    std::string excludes;            // another option of the same command ("--listen")
    std::vector<std::string> needs;  // options of the same command it is valid only with
};

struct Command {
    std::string name;
    std::string help;
    std::string footer;  // the examples
    std::vector<Option> options;
    std::vector<Command> subcommands;  // when present, exactly one must be given
    std::function<int()> action;       // runs after parsing; returns the exit status
    bool hidden = false;               // internal commands: parsed, not listed in --help
};

}  // namespace vpngw::cli
