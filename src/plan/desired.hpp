#pragma once

#include "model/profile.hpp"
#include "state/kernel_state.hpp"

namespace vpngw::plan {

// The kernel state a profile asks for. Pure: no I/O, no netlink.
state::KernelState desired_state(const model::Profile& profile);

}  // namespace vpngw::plan
