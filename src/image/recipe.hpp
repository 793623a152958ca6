#pragma once

// Writes a complete, readable image recipe into a directory: build.sh and
// customize.sh, the base package list and hooks (the cached layer), rootfs/
// (profile, units, sshd, network), image.env and the vpngw binary itself.
// Writes files only; running build.sh is a separate step.

#include <string>
#include <vector>

#include "image/settings.hpp"
#include "model/profile.hpp"
#include "util/error.hpp"
#include "util/result.hpp"

namespace vpngw::image {

struct RecipeReport {
    std::vector<std::string> files;  // relative to the output directory, in write order
    std::string build_script;        // absolute path of build.sh
    Diagnostics warnings;
};

// `profile` is the loaded `settings.profile_path`; its text is copied verbatim
// (comments included) to rootfs/etc/vpngw/<name>.toml.
Result<RecipeReport> write_recipe(const model::Profile& profile, const Settings& settings);

}  // namespace vpngw::image
