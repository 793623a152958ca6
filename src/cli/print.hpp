#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "util/error.hpp"

namespace vpngw::cli {

// Diagnostics go to stderr, one "file:line:col: severity: message" per line.
void print_diagnostics(const Diagnostics& diagnostics);
void print_error(const Error& error);

// A command's output: to stdout when `path` is empty, else written to `path`
// atomically with `mode` (a reader never sees half a file). Returns the exit
// status, after printing the error if the write failed.
int print_or_write(std::string_view text, const std::string& path, mode_t mode);

// printf's "%-*s " and "%*s " for tables of many rows (`status`, `peer
// list` at 50,000 peers): `text` padded with spaces to `width`, then one
// space; no format string to parse per column.
void append_left(std::string& out, std::string_view text, std::size_t width);
void append_right(std::string& out, std::string_view text, std::size_t width);

}  // namespace vpngw::cli
