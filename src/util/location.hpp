#pragma once

#include <string>

namespace vpngw {

// A place in a profile. Line and column are 1-based; 0 means "unknown" so a
// location can be carried even when toml++ has no source region for a value.
struct Location {
    std::string file;
    int line = 0;
    int column = 0;

    bool known() const { return line > 0; }
    std::string str() const;  // "file:line:col", or "file" when unknown
    friend bool operator==(const Location&, const Location&) = default;
};

}  // namespace vpngw
