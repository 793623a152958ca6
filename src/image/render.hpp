#pragma once

// @NAME@ substitution, the way CMake's configure_file(@ONLY) does it, so the
// templates in image/ stay readable shell, YAML and unit files. Every value
// goes through the escaper of the template's format on its way in.

#include <map>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::image {

using Vars = std::map<std::string, std::string, std::less<>>;

enum class Format {
    // Unit files, sshd_config, /etc/hosts, YAML, Markdown: a value must be one
    // line of printable ASCII (escape::plain_line), else rendering fails.
    plain,
    // A file bash sources (image.env): each value becomes one shell word
    // (escape::shell_word).
    shell,
};

// Replaces each @NAME@ (NAME: A-Z, 0-9, _) with vars[NAME], escaped for
// `format`. A NAME ending in _WORDS (shell words) or _YAML (YAML nodes) holds
// text its producer already escaped for that format and goes in as is. A name
// without a value, or a value the format cannot carry, is an error naming
// `what`. Other '@' characters (e.g. "vpngw@x.service") are left alone.
Result<std::string> render(std::string_view text, const Vars& vars, std::string_view what,
                           Format format = Format::plain);

}  // namespace vpngw::image
