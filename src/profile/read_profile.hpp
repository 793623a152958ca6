#pragma once

#include "model/profile.hpp"
#include "profile/context.hpp"

namespace vpngw::profile {

// Reads and checks a parsed document. The result is meaningful only when no
// error was reported.
model::Profile read_profile(Context& ctx, const toml::table& root);

}  // namespace vpngw::profile
