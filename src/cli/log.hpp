#pragma once

// Log lines on stderr ("warning: ..."), shown by level as -v asks. A narrow
// front for spdlog, so that log.cpp alone compiles its headers.

#include <string>

namespace vpngw::cli::log {

// Once, after parsing: 0 warnings and errors, 1 also info, 2 also debug.
void setup(int verbosity);

void info(const std::string& message);
void warn(const std::string& message);
void error(const std::string& message);

}  // namespace vpngw::cli::log
