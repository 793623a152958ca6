#pragma once

// The values the templates are rendered with, derived from a profile: the
// systemd instance name, host name, sshd settings from the management
// section, the WireGuard key files. Pure; warnings go to `diags`.

#include <string>
#include <vector>

#include "image/render.hpp"
#include "image/settings.hpp"
#include "model/profile.hpp"
#include "util/error.hpp"

namespace vpngw::image {

// Fails when the gateway name cannot name a systemd unit instance.
Result<Vars> profile_variables(const model::Profile& profile, const Settings& settings,
                               Diagnostics& diags);

// The lines of /etc/ssh/sshd_config.d/00-vpngw.conf for this profile.
Result<std::string> sshd_config(const Vars& vars);

// Base packages that are vpngw's run-time libraries (the lib* entries of
// image/recipe/base/packages.list).
std::vector<std::string> runtime_library_packages();

}  // namespace vpngw::image
