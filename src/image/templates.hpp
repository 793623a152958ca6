#pragma once

// The files of image/ and systemd/, compiled in (see cmake/embed.cmake), so a recipe
// can be written by any copy of the binary, installed or not.

#include <span>
#include <string_view>

namespace vpngw::image {

struct Template {
    std::string_view path;  // below the source tree: "image/recipe/build.sh"
    std::string_view text;
};

std::span<const Template> templates();

// The template at `path`, or nullptr.
const Template* find_template(std::string_view path);

}  // namespace vpngw::image
