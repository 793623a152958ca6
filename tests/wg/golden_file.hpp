#pragma once

// Reads the hand-written hex dumps under tests/wg/golden: pairs of hex digits,
// '#' starts a comment, "@message" starts the next netlink message.

#include <cstdint>
#include <string>
#include <vector>

namespace vpngw::wg::test {

std::vector<std::vector<std::uint8_t>> read_golden(const std::string& name);
std::string hex_dump(const std::vector<std::uint8_t>& bytes);

}  // namespace vpngw::wg::test
