#pragma once

// vpngw's nftables table as a whole, through libnftables in this process.
// The plan layer renders the table as `table inet vpngw` + `delete table inet
// vpngw` + the full definition, so one run replaces it in a single kernel
// transaction: the firewall is never half old, half new.

#include <optional>
#include <string>

#include "util/result.hpp"

namespace vpngw::nft {

// Applies ruleset text as one transaction. On failure nothing changed and the
// error is nft's own message, naming the offending line and column as
// "SOURCE:LINE:COL: Error: ..." followed by the line and a caret.
Status apply_ruleset(const std::string& text, const std::string& source = "vpngw-ruleset");

// Dry run: the kernel validates the whole batch, which is then aborted.
Status check_ruleset(const std::string& text, const std::string& source = "vpngw-ruleset");

// Deletes `table inet vpngw`; succeeds when it does not exist.
Status delete_owned_table();

// `nft list table inet vpngw`, or nullopt when the table does not exist.
Result<std::optional<std::string>> list_owned_table();

Result<bool> table_exists();

}  // namespace vpngw::nft
