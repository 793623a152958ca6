#pragma once

// Who may change vpngw's state directory. vpngw runs as root and keeps there
// what it trusts on the next run (peers, keys, the snapshot a revert
// restores), so nobody else may be able to add, swap or rename anything in
// it. Before the state directory is used:
//
// - it is not a system directory (util/system_dirs.hpp), by its path as
//   written nor by where that resolves;
// - it, when it exists, is a directory owned by root (or by the user running
//   vpngw, its euid, where that is not root) and not writable by group or
//   others; vpngw never
//   chmods a directory it did not create, so a shared directory is refused,
//   not quietly taken over;
// - every directory above it is owned by root or that user and not writable
//   by group or others, unless it has the sticky bit (/tmp), where others
//   cannot rename what is not theirs; a symlink on the way is followed only
//   when root or that user owns it.
//
// Files inside are then opened with O_NOFOLLOW (store/atomic_file.hpp,
// store/peers_*, wg/key_file.hpp): only root could have planted a symlink
// there, and it is still refused.

#include <string>

#include "util/result.hpp"

namespace vpngw::store {

// The checks above. A state directory that does not exist yet passes when
// every existing directory above it does: vpngw will create it.
Status check_state_dir(const std::string& dir);

// Creates the missing part of the path with mode 0700 (whatever the umask),
// never touching the mode of a directory that exists, then checks it all.
Status prepare_state_dir(const std::string& dir);

}  // namespace vpngw::store
