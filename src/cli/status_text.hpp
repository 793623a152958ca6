#pragma once

// The human-readable `vpngw status`: tables of interfaces, groups and peers,
// then conntrack, drop counters, the pending apply and drift.

#include <cstdint>
#include <string>

#include "gateway/status.hpp"

namespace vpngw::cli {

std::string status_text(const gateway::StatusReport& report);

// "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" for 0.
std::string age_text(std::int64_t seconds_ago);
// "512 B", "1.5 KiB", ...
std::string bytes_text(std::uint64_t n);

}  // namespace vpngw::cli
