#pragma once

// Recorded operations applied one at a time by a process that did not plan
// them: the revert of `up --confirm` (its detached timer, `vpngw rollback`).
// Of the profile it needs only each WireGuard interface's backend, which the
// pending record keeps.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "model/profile.hpp"
#include "ops/op.hpp"
#include "util/result.hpp"

namespace vpngw::exec {

// Applies one operation; a failure changes nothing (exec::apply undoes it).
using RunOp = std::function<Status(const ops::Op&)>;

// Opens a netlink socket and the interfaces' WireGuard backends
// (`wireguard_go` for userspace ones).
Result<RunOp> open_replay(const std::string& wireguard_go,
                          const std::vector<std::pair<std::string, model::Backend>>& interfaces);

}  // namespace vpngw::exec
