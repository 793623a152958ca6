#include "profile/state_dir.hpp"

#include "profile/quote.hpp"
#include "util/system_dirs.hpp"

namespace vpngw::profile {

bool check_state_dir_place(Context& ctx, const Text& dir) {
    const std::string written = normal_path(dir.value);
    std::string why = system_directory_reason(written);
    if (why.empty()) {
        const std::string real = resolved_path(dir.value);
        why = system_directory_reason(real);
        if (!why.empty()) why = "it resolves to " + real + ": " + why;
    }
    if (why.empty()) return true;
    ctx.error(dir.where, "\"state_dir\" cannot be " + quoted(dir.value) + ": " + why);
    return false;
}

}  // namespace vpngw::profile
