#pragma once

#include <string>
#include <vector>

#include "profile/loader.hpp"

namespace vpngw::profile::test {

// Diagnostics of one severity as "line:col: severity: message", without the
// file name, in the loader's order.
std::vector<std::string> lines_of(const LoadResult& r, Severity s);

// Loads text named "t.toml" and returns its errors as above.
std::vector<std::string> errors_of(const std::string& text);
std::vector<std::string> warnings_of(const std::string& text);

// A minimal valid profile to which tests append or in which they replace text.
// Lines 1-9 are fixed; appended tables start on line 10.
std::string base_profile();

// Replaces the first occurrence of `from` in `text` (which must contain it).
std::string replace(std::string text, const std::string& from, const std::string& to);

}  // namespace vpngw::profile::test
