#pragma once

#include <string>

#include "model/profile.hpp"

namespace vpngw::plan {

// vpngw's whole nftables table for a profile, in `nft -f` syntax. The text
// deletes and recreates `table inet vpngw` so applying it replaces the table
// in one transaction and leaves every other table alone.
std::string render_nft_ruleset(const model::Profile& profile);

}  // namespace vpngw::plan
