#include "exec/quota_reset.hpp"

#include "nft/context.hpp"
#include "nft/write/ruleset.hpp"

namespace vpngw::exec {

Status reset_quotas(const std::vector<std::string>& objects) {
    if (objects.empty()) return ok_status();
    std::string commands;
    for (const auto& o : objects) commands += "reset quota " + nft::kTable + " " + o + "\n";
    return nft::apply_commands(commands, "resetting quotas");
}

}  // namespace vpngw::exec
