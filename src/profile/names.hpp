#pragma once

#include <string_view>

#include "profile/context.hpp"
#include "profile/toml_reader.hpp"

namespace vpngw::profile {

// Names of the gateway, uplinks, interfaces, groups and peers, and kernel
// device names: [A-Za-z0-9_.=+-]{1,15}, not starting with '-' or '.'. The
// length is the kernel's IFNAMSIZ limit, which interface names must fit.
bool valid_name(std::string_view name);

// Reports an invalid name; `what` is "name" or "device name".
void check_name(Context& ctx, const Text& name, std::string_view what);

}  // namespace vpngw::profile
