#include "nft/write/ruleset.hpp"

#include "nft/context.hpp"

namespace vpngw::nft {

Status apply_ruleset(const std::string& text, const std::string& source) {
    Nft nft;
    auto r = nft.run_ruleset(text, "applying the nftables ruleset", source);
    if (!r) return r.error();
    return ok_status();
}

Status apply_commands(const std::string& commands, const char* what) {
    Nft nft;
    if (!nft.ok()) return Error{std::string(what) + ": cannot create a libnftables context"};
    auto r = nft.run(commands, what);
    if (!r) return r.error();
    return ok_status();
}

Status delete_owned_table() {
    // Declaring the table first makes the delete valid whether or not it
    // existed; both happen in one transaction.
    Nft nft;
    auto r = nft.run("table " + kTable + "\ndelete table " + kTable + "\n",
                     "deleting the vpngw nftables table");
    if (!r) return r.error();
    return ok_status();
}

}  // namespace vpngw::nft
