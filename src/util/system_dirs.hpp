#pragma once

// Directories vpngw refuses as its state directory: the system's own (/,
// /etc, /var/lib, /tmp, ...), whose other files vpngw would share a
// directory with, and anything inside the kernel's filesystems (/proc, /sys,
// /dev). A subdirectory of an ordinary one (/var/lib/vpngw, /srv/vpngw) is
// fine. Paths are compared in normal form and, where they exist, resolved
// (realpath), so "/var/lib/.." and a symlink to /etc are caught too.

#include <string>
#include <string_view>

namespace vpngw {

// An absolute path without ".", "..", repeated or trailing slashes. ".."
// is taken lexically, as the profile's reader sees it.
std::string normal_path(std::string_view absolute);

// realpath(3) of the longest prefix of `absolute` that exists, with the
// components that do not exist yet appended, in normal form.
std::string resolved_path(const std::string& absolute);

// Why `normal` (a normal_path) cannot be a state directory, or "" when it
// can.
std::string system_directory_reason(std::string_view normal);

}  // namespace vpngw
