#pragma once

// The steps of profile::load_file, for the profile cache (profile/cache.hpp),
// which loads a text it has edited and keeps the parsed document.

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>

#include "profile/loader.hpp"

namespace vpngw::profile {

// Parses and validates `text`; with `keep_root`, the parsed document is moved
// there (left empty when the text does not parse).
LoadResult load_text(std::string_view text, const std::string& source, const std::string& base_dir,
                     toml::table* keep_root) noexcept;

// The file's bytes, or nullopt with the reason added to `failed`.
std::optional<std::string> read_profile_text(const std::string& path, LoadResult& failed);

// The directory relative key-file paths of the profile at `path` resolve against.
std::string profile_base_dir(const std::string& path);

}  // namespace vpngw::profile
