#pragma once

#include <vector>

#include "ops/op.hpp"

namespace vpngw::ops {

// The operations that turn `observed` into `desired`, in a safe order: stale
// rules/routes/addresses first (so a changed object can be re-added), then
// the firewall (the table, or its peer elements), so that no WireGuard peer
// is ever configured without it, then links, WireGuard keys and peers,
// addresses, routes, rules, and sysctls last (forwarding is enabled only once
// everything else is in place). Empty when the kernel already matches.
std::vector<Op> diff_up(const Desired& desired, const Observed& observed);

// Whether diff_up replaces vpngw's whole nft table (with desired.state.nft_ruleset):
// the ruleset's hash differs from the table's comment, or the table was edited by hand.
bool replaces_table(const Desired& desired, const Observed& observed);

// The operations that remove what vpngw created for this profile: sysctls
// back to the values recorded before the first `up`, owned rules and routes,
// owned links (their addresses and WireGuard peers go with them), and the nft
// table last, so no peer outlives the filtering.
std::vector<Op> diff_down(const Desired& desired, const Observed& observed,
                          const std::vector<state::Sysctl>& sysctls_before);

// The operation that undoes `op` once it has been applied.
Op inverse(const Op& op);

}  // namespace vpngw::ops
