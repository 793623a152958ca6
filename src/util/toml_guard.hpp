#pragma once

// A screen run on TOML text before it reaches toml++ 3.3 (Debian 12's),
// whose Unicode whitespace test reaches __builtin_unreachable() -- undefined
// behaviour -- for a non-ASCII character where the parser looks for
// whitespace (toml++ issues #190 and #295; found by tests/fuzz). It only
// reports what TOML 1.0 forbids anyway, or cannot matter for vpngw:
//  - a non-ASCII byte outside strings and comments (bare keys are ASCII);
//  - a non-ASCII character right after a line-ending backslash in a
//    multi-line basic string (the one place inside a string toml++ trims).
// Strings and comments may hold any UTF-8; toml++ still checks them.

#include <optional>
#include <string>
#include <string_view>

namespace vpngw {

struct TomlHazard {
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in bytes
    std::string message;
};

std::optional<TomlHazard> find_toml_hazard(std::string_view text);

}  // namespace vpngw
