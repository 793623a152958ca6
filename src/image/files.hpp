#pragma once

// Reading the inputs of a recipe (profile, binary, authorized_keys). Writing
// goes through store::atomic_write_file_at, which follows no symlink.

#include <string>

#include "util/result.hpp"

namespace vpngw::image {

Result<std::string> read_file(const std::string& path);

}  // namespace vpngw::image
