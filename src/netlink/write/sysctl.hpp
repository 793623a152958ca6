#pragma once

// Writing a sysctl of the current network namespace. Only exec/ includes this.

#include <string_view>

#include "util/result.hpp"

namespace vpngw::netlink {

Status write_sysctl(std::string_view key, std::string_view value);

}  // namespace vpngw::netlink
