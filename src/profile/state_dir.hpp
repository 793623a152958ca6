#pragma once

// [gateway].state_dir as a place: not a system directory, by the path as
// written nor by where it resolves (util/system_dirs.hpp). Ownership and
// modes are the state directory's business when it is opened
// (store/state_dir_check.hpp): `check` may run elsewhere or unprivileged.

#include "profile/context.hpp"
#include "profile/toml_reader.hpp"

namespace vpngw::profile {

// An error at the value when vpngw would refuse the directory; false then.
bool check_state_dir_place(Context& ctx, const Text& dir);

}  // namespace vpngw::profile
