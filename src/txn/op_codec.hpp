#pragma once

// Operations as TOML text, so that a process other than the one that planned
// them (the revert timer of `up --confirm`, `vpngw rollback`) can run them
// later. Each op is one [[op]] table whose `kind` is ops::Op::kind(). Origins
// are kept as "file:line:col" text for messages only. Never holds key
// material: WireGuard changes refer to key files by path.

#include <string>
#include <vector>

#include "ops/op.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

std::string encode_ops(const std::vector<ops::Op>& ops);
// `source` names the file in errors.
Result<std::vector<ops::Op>> decode_ops(const std::string& text, const std::string& source);

}  // namespace vpngw::txn
