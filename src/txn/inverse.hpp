#pragma once

// For `up --confirm`: for each planned op, the op that undoes it once
// applied, computed before anything runs, so that another process (the
// revert timer, `vpngw rollback`) can undo any prefix of the plan.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "netlink/routes.hpp"
#include "ops/op.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

// vpngw's live nft table as text, nullopt when absent (exec::owned_table_text).
// Asked once, and only when the plan replaces the table.
using TableText = std::function<Result<std::optional<std::string>>()>;
// Every route of the kernel with its protocol (netlink::dump_routes). Asked
// once, and only when the plan adds a route.
using RoutesNow = std::function<Result<std::vector<netlink::RouteEntry>>()>;

// Most ops have a plain inverse (ops::inverse). The two that do not:
// - a table replacement is undone by the table as it is now;
// - a WireGuard change is undone by the device as observed, with the
//   private key, when replaced, loaded again from the copy of its key file
//   in the pending snapshot (paths.pending_files_dir()).
// And a route add finding an identical route of another owner in its place
// (netlink::route_in_the_way; exec takes it over) is undone by handing it
// back to that owner's protocol, not by deleting it. Known before anything
// runs, so a revert after a crash at any point hands it back too (handing
// back a route not yet taken over leaves it as it is). Without `routes_now`
// every added route is deleted.
Result<std::vector<ops::Op>> inverse_ops(const std::vector<ops::Op>& planned,
                                         const ops::Observed& observed,
                                         const store::StatePaths& paths,
                                         const TableText& table_text,
                                         const RoutesNow& routes_now = {});

// The WireGuard change that puts a device back as `before` was ("" for
// old_key_file keeps the new key; no `before`: the device is new, deleting
// its link undoes it).
ops::WgChange reverse_wg(const ops::WgChange& change, const ops::WgObserved* before,
                         const std::string& old_key_file);

}  // namespace vpngw::txn
