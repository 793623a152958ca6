#pragma once

// Runs a recipe's build.sh with the caller's stdout and stderr, so its
// progress lines ("==> [12:00:01] unpacking the base") reach the terminal as
// they happen.

#include <string>

#include "util/result.hpp"

namespace vpngw::image {

// An error when build.sh cannot start or exits non-zero.
Status run_build_script(const std::string& script);

}  // namespace vpngw::image
