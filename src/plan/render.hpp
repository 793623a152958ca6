#pragma once

#include <string>

#include "state/kernel_state.hpp"

namespace vpngw::plan {

// Human-readable listing of a desired state for `vpngw plan`: links, addresses,
// routes per table, rules, WireGuard peers (public keys only) and the ruleset.
std::string render_state(const state::KernelState& state);

}  // namespace vpngw::plan
