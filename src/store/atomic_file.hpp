#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::store {

// What a power loss right after the write leaves at `path`. `new_file`
// fsyncs the directory after the rename, so the new file is there.
// `old_or_new_file` skips that second fsync: the old or the new file, each
// whole (the contents are fsynced before the rename either way). For records
// of kernel state, which a power loss resets anyway (the progress record of
// an apply, rewritten after every operation).
enum class AfterPowerLoss { new_file, old_or_new_file };

// Replaces `path` with `bytes` so that readers (and a crash at any point) see
// either the old file or the complete new one, never a truncated mix: writes a
// temp file in the same directory (O_CREAT|O_EXCL, mode set with fchmod so the
// umask does not matter), fsyncs it, renames it over `path`, fsyncs the
// directory (unless `after` says old_or_new_file). Errors name the path, never
// the contents.
Status atomic_write_file(const std::string& path, std::string_view bytes, mode_t mode,
                         AfterPowerLoss after = AfterPowerLoss::new_file);

// Opens the directory `path`, refusing a symlink in its place (O_NOFOLLOW).
Result<UniqueFd> open_dir_nofollow(const std::string& path);

// atomic_write_file for `rel` below the directory `dirfd`, following no
// symlink on the way: each directory of `rel` is opened with O_NOFOLLOW (a
// missing one is made 0755 with an exact mode), so a symlink planted below
// `dirfd` is refused rather than written through, and a symlink at `rel`
// itself is replaced, not followed. `rel` has no "." or ".." component.
// `shown` names `dirfd` in errors.
Status atomic_write_file_at(int dirfd, const std::string& shown, const std::string& rel,
                            std::string_view bytes, mode_t mode);

// The whole file, or nullopt when it does not exist. A symlink at `path` is
// refused (ELOOP) unless `links` says to follow it: vpngw's own files are
// never links, and one planted in the state directory must not make vpngw
// read a file elsewhere. Follow only for a file the user named.
enum class Links { refuse, follow };
Result<std::optional<std::string>> read_file_if_exists(const std::string& path,
                                                       Links links = Links::refuse);

// Creates `dir` (and missing parents) with mode 0700 whatever the umask.
// Existing directories are left as they are: vpngw never chmods a directory
// it did not create (store/state_dir_check.hpp refuses a state directory
// others could write to instead).
Status ensure_private_dir(const std::string& dir);

}  // namespace vpngw::store
