#include "nft/ruleset.hpp"

#include "nft/context.hpp"
#include "nft/observe.hpp"

namespace vpngw::nft {

Status check_ruleset(const std::string& text, const std::string& source) {
    Nft nft;
    nft.dry_run();
    auto r = nft.run_ruleset(text, "checking the nftables ruleset", source);
    if (!r) return r.error();
    return ok_status();
}

Result<bool> table_exists() {
    // One NFT_MSG_GETTABLE through libnftnl. `nft list tables` fetches the
    // whole ruleset cache, every set element included: ~38 MiB at 50,000 peers.
    auto comment = owned_table_comment();
    if (!comment) return comment.error();
    return comment->has_value();
}

Result<std::optional<std::string>> list_owned_table() {
    auto exists = table_exists();
    if (!exists) return exists.error();
    if (!*exists) return std::optional<std::string>{};
    Nft nft;
    auto r = nft.run("list table " + kTable, "listing the vpngw nftables table");
    if (!r) return r.error();
    return std::optional<std::string>(std::move(*r));
}

}  // namespace vpngw::nft
