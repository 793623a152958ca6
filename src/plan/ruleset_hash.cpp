#include "plan/ruleset_hash.hpp"

#include <sodium.h>

#include "plan/nft_ruleset.hpp"

namespace vpngw::plan {

// A short hex digest of the ruleset without peer elements. Stored as the
// table's comment, it tells `up` whether the rules changed; peer elements are
// compared one by one instead, so adding a peer never replaces the table.
namespace {

std::string digest_of(const std::string& text) {
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), nullptr, 0);
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return std::string("vpngw:") + hex;
}

}  // namespace

std::string ruleset_hash(const model::Profile& profile) {
    // Health moves only balance map elements, which the monitor rewrites in
    // place, so a failover must not make `up` replace the table either.
    return digest_of(render_nft_ruleset(profile, LiveElements::omit));
}

std::string ruleset_hash(const model::Profile& profile,
                         const std::vector<state::PeerLimits>& limits) {
    return digest_of(render_nft_rules(profile, limits));
}

// Puts the hash into the table definition as its comment.
// In place: the rendered text leaves room for it (nft_ruleset.cpp), so a
// million peers' ruleset is not copied again.
std::string with_comment(std::string ruleset, const std::string& comment) {
    static const std::string header = "table inet vpngw {\n";
    auto at = ruleset.find(header);
    if (at == std::string::npos) return ruleset;
    ruleset.insert(at + header.size(), "\tcomment \"" + comment + "\"\n");
    return ruleset;
}

}  // namespace vpngw::plan
