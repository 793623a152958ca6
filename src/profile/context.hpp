#pragma once

#include <toml++/toml.h>

#include <string>

#include "util/error.hpp"
#include "util/location.hpp"

namespace vpngw::profile {

// What every reader and check shares: the file name for locations, the
// directory relative key-file paths are resolved against, and the sink of
// diagnostics.
struct Context {
    std::string file;
    std::string base_dir;  // "" = the current directory (load_string)
    Diagnostics& diags;

    Location at(const toml::source_region& r) const {
        return {file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
    }
    // Problems of the document as a whole point at its first line.
    Location document() const { return {file, 1, 1}; }
    void error(Location where, std::string message) {
        diags.error(std::move(where), std::move(message));
    }
    void warning(Location where, std::string message) {
        diags.warning(std::move(where), std::move(message));
    }
};

}  // namespace vpngw::profile
