#pragma once

// `vpngw up --check`: what the kernel would refuse, found before anything is
// applied. The firewall is validated by the kernel itself (the nft batch is
// sent and aborted); routes, rules and addresses are checked against the
// live tables (a route's device must exist and its gateway must be on a
// network connected to that device; a route or rule must not collide with
// one another tool owns). Each problem carries the profile line of the
// operation that would fail.

#include <vector>

#include "netlink/links.hpp"
#include "netlink/routes.hpp"
#include "netlink/rules.hpp"
#include "ops/op.hpp"
#include "util/error.hpp"

namespace vpngw::gateway {

// The live kernel tables the checks compare against.
struct LiveTables {
    std::vector<netlink::LinkInfo> links;
    std::vector<state::Address> addresses;    // of every link
    std::vector<netlink::RouteEntry> routes;  // every table, every owner
    std::vector<netlink::RuleEntry> rules;    // every owner
};

// Adds an error (or a warning, for what would work but looks wrong) to
// `out` for each operation of `planned` that would fail.
void check_planned_ops(const std::vector<ops::Op>& planned, const LiveTables& live,
                       Diagnostics& out);

}  // namespace vpngw::gateway
