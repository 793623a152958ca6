#pragma once

#include "util/error.hpp"

namespace vpngw::cli {

// Diagnostics go to stderr, one "file:line:col: severity: message" per line.
void print_diagnostics(const Diagnostics& diagnostics);
void print_error(const Error& error);

}  // namespace vpngw::cli
