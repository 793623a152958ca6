#include "exec/balance_maps.hpp"

#include "nft/write/ruleset.hpp"

namespace vpngw::exec {

Status write_balance_maps(const std::string& update) {
    return nft::apply_ruleset(update, "vpngw-balance");
}

}  // namespace vpngw::exec
