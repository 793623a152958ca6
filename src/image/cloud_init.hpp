#pragma once

// #cloud-config user-data that turns a stock Debian 12 cloud VM into the same
// gateway an image would be: packages, profile, units, sshd, then
// `systemctl enable --now vpngw@NAME`. The binary comes from a URL and is
// checked against the SHA-256 of the local file (`settings.binary_path`) the
// user uploads there, since user-data is too small to carry it.

#include <string>

#include "image/settings.hpp"
#include "model/profile.hpp"
#include "util/error.hpp"
#include "util/result.hpp"

namespace vpngw::image {

Result<std::string> cloud_init_user_data(const model::Profile& profile, const Settings& settings,
                                         Diagnostics& warnings);

// Lower-case hex SHA-256 of a file's bytes (libsodium).
Result<std::string> sha256_file(const std::string& path);

}  // namespace vpngw::image
