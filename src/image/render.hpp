#pragma once

// @NAME@ substitution, the way CMake's configure_file(@ONLY) does it, so the
// templates in image/ stay readable shell, YAML and unit files.

#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::image {

using Vars = std::map<std::string, std::string, std::less<>>;

// Replaces each @NAME@ (NAME: A-Z, 0-9, _) with vars[NAME]. A name without a
// value is an error naming `what`: the template and this code disagree.
// Other '@' characters (e.g. "vpngw@x.service") are left alone.
Result<std::string> render(std::string_view text, const Vars& vars, std::string_view what);

}  // namespace vpngw::image
