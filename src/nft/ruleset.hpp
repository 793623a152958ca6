#pragma once

// vpngw's nftables table as a whole, through libnftables in this process.
// The plan layer renders the table as `table inet vpngw` + `delete table inet
// vpngw` + the full definition, so one run replaces it in a single kernel
// transaction: the firewall is never half old, half new. This header reads
// and validates; applying and deleting are nft/write/ruleset.hpp (exec/ only).

#include <optional>
#include <string>

#include "util/result.hpp"

namespace vpngw::nft {

// Dry run: the kernel validates the whole batch, which is then aborted.
Status check_ruleset(const std::string& text, const std::string& source = "vpngw-ruleset");

// `nft list table inet vpngw`, or nullopt when the table does not exist.
Result<std::optional<std::string>> list_owned_table();

Result<bool> table_exists();

}  // namespace vpngw::nft
