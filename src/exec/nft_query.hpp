#pragma once

// Questions to the kernel about vpngw's firewall that change nothing: whether
// it would accept a batch (`up --check`: sent as one transaction and aborted,
// so every refusal the kernel would make shows up with nothing committed),
// and the live table's text (what the revert of `up --confirm` restores).

#include <optional>
#include <string>

#include "util/result.hpp"

namespace vpngw::exec {

Status check_nft_batch(const std::string& batch);

// `table inet vpngw` as `nft list` prints it; nullopt when it does not exist.
Result<std::optional<std::string>> owned_table_text();

}  // namespace vpngw::exec
