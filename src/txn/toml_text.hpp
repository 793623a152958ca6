#pragma once

// The apply record's TOML files (op codec, pending record, progress record)
// are parsed the same way: a syntax error, or a field of the wrong kind, is
// an Error at `file`:line:column, whether toml++ was built with exceptions
// or not.

#include <toml++/toml.h>

#include <string>

#include "util/result.hpp"

namespace vpngw::txn {

Location toml_location(const std::string& file, const toml::source_region& where);
Result<toml::table> parse_toml(const std::string& text, const std::string& file);

}  // namespace vpngw::txn
