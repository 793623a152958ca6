#pragma once

// `vpngw up --check`: what the kernel would refuse, found before anything is
// applied. The firewall is validated by the kernel itself (the nft batch is
// sent and aborted); routes, rules and addresses are checked against the
// live tables (a route's device must exist and its gateway must be on a
// network connected to that device; a route or rule must not collide with
// one another tool owns). Each problem carries the profile line of the
// operation that would fail.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ops/op.hpp"
#include "util/error.hpp"
#include "util/result.hpp"

namespace vpngw::guard {

// A route or rule as the kernel lists it, with the protocol that marks its
// owner (state::kRouteProtocol for vpngw's).
struct LiveRoute {
    state::Route route;
    std::uint8_t protocol = 0;
};
struct LiveRule {
    state::Rule rule;
    std::uint8_t protocol = 0;
};

// The live kernel tables the checks compare against, read by the caller.
struct LiveTables {
    std::vector<std::string> links;         // names of every link
    std::vector<state::Address> addresses;  // of every link
    std::vector<LiveRoute> routes;          // every table, every owner
    std::vector<LiveRule> rules;            // every owner
};

// Asks the kernel whether it would accept an nft batch, committing nothing
// (exec::check_nft_batch; tests pass their own).
using NftCheck = std::function<Status(const std::string& batch)>;

// Adds an error (or a warning, for what would work but looks wrong) to
// `out` for each operation of `planned` that would fail.
void check_planned_ops(const std::vector<ops::Op>& planned, const LiveTables& live,
                       const NftCheck& check_nft, Diagnostics& out);

}  // namespace vpngw::guard
