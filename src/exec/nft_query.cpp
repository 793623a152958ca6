#include "exec/nft_query.hpp"

#include "nft/ruleset.hpp"

namespace vpngw::exec {

Status check_nft_batch(const std::string& batch) {
    return nft::check_ruleset(batch, "vpngw-ruleset");
}

Result<std::optional<std::string>> owned_table_text() {
    return nft::list_owned_table();
}

}  // namespace vpngw::exec
