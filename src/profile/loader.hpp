#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/profile.hpp"
#include "util/error.hpp"

namespace vpngw::profile {

// The outcome of reading a profile: every error and warning found, and the
// profile itself when there were no errors.
struct LoadResult {
    std::optional<model::Profile> profile;
    Diagnostics diagnostics;
};

// Parses and validates a profile file. Never throws, never touches the kernel.
// Reads the private key files it names only to check that they are not empty.
LoadResult load_file(const std::string& path);

// The same for text already in memory; `source` names it in diagnostics.
LoadResult load_string(std::string_view text, const std::string& source);

}  // namespace vpngw::profile
