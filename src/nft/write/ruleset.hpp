#pragma once

// Applying rulesets to the kernel and deleting vpngw's table, through
// libnftables. Only exec/ includes this (tests/architecture/kernel_writers.sh).

#include <string>

#include "util/result.hpp"

namespace vpngw::nft {

// Applies ruleset text as one transaction. On failure nothing changed and the
// error is nft's own message, naming the offending line and column as
// "SOURCE:LINE:COL: Error: ..." followed by the line and a caret.
Status apply_ruleset(const std::string& text, const std::string& source = "vpngw-ruleset");

// Runs nft commands (`add quota inet vpngw ...`, `add element ...`, `reset
// quota ...`) as one transaction: a peer's limits in a running table.
Status apply_commands(const std::string& commands, const char* what);

// Deletes `table inet vpngw`; succeeds when it does not exist.
Status delete_owned_table();

}  // namespace vpngw::nft
