#pragma once

#include <string>
#include <string_view>

#include "profile/context.hpp"

namespace vpngw::profile {

// A key-file path as the loader keeps it: relative paths are taken relative
// to the profile's directory, so the profile means the same from any cwd,
// and a symlink is replaced by the file it points to (vpngw reads key files
// with O_NOFOLLOW, so that a link planted in its state directory is refused).
std::string resolve_key_path(const Context& ctx, const std::string& path);

// Reports a path outside the safe character set (escape::safe_path), a
// key file that exists but is empty (or only whitespace), or that
// is not a regular file. A missing or unreadable file is not an error here:
// `up` generates missing private keys, and `check` may run unprivileged.
// The contents are read only to look for non-space bytes, then wiped.
// `written` is the path as the profile spells it, for the message.
void check_key_file(Context& ctx, const std::string& path, const std::string& written,
                    const Location& where, std::string_view what);

}  // namespace vpngw::profile
