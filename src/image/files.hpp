#pragma once

// Small file helpers for writing a recipe: whole files with an explicit mode.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::image {

// Creates parent directories (0755) and writes `bytes` with exactly `mode`.
Status write_file(const std::string& path, std::string_view bytes, mode_t mode);
Result<std::string> read_file(const std::string& path);

}  // namespace vpngw::image
