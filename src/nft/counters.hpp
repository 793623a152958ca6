#pragma once

// Reading the named counters of `table inet vpngw` (input_drops,
// forward_drops, spoofed_drops) for `vpngw status` and `vpngw metrics`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace vpngw::nft {

struct NamedCounter {
    std::string name;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

// Every named counter of vpngw's table; nullopt when the table does not exist.
Result<std::optional<std::vector<NamedCounter>>> list_owned_counters();

// A peer's quota object (`quota q_<peer>`): its limit and what the period
// has used so far (both directions; packets dropped over it count too).
struct NamedQuota {
    std::string name;
    std::uint64_t limit = 0;
    std::uint64_t used = 0;
};

// Every quota object of vpngw's table; nullopt when the table does not exist.
Result<std::optional<std::vector<NamedQuota>>> list_owned_quotas();

// Parses libnftables' JSON output of `list counters` (exposed for tests).
Result<std::vector<NamedCounter>> parse_counters_json(const std::string& json);

}  // namespace vpngw::nft
