#pragma once

// The lifecycle limits a peer can carry (issue 17): a data quota per period,
// a rate limit and an expiry time, with the text forms the CLI and the profile
// accept and print. Parse errors name the value and the forms accepted; the
// caller adds the location.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::model {

enum class QuotaPeriod { day, week, month };

// Bytes of both directions together that a peer may forward per period.
struct Quota {
    std::uint64_t bytes = 0;
    QuotaPeriod period = QuotaPeriod::month;

    friend bool operator==(const Quota&, const Quota&) = default;
};

const char* to_string(QuotaPeriod);
Result<QuotaPeriod> parse_quota_period(std::string_view text);

// "50GiB/month", "10MiB/day", "1TB/week": a size with B, KB/MB/GB/TB (powers
// of 1000) or KiB/MiB/GiB/TiB (powers of 1024), a slash and a period.
Result<Quota> parse_quota(std::string_view text);
// The shortest exact form: "50GiB/month", "1500MB/day", "17B/week".
std::string format_quota(const Quota& quota);

// Bits per second, each direction: "20mbit", "1gbit", "500kbit", "64000bit"
// (tc's units, powers of 1000). At least 8 kbit/s: below that a WireGuard
// keepalive alone would be over the limit.
Result<std::uint64_t> parse_rate(std::string_view text);
std::string format_rate(std::uint64_t bits_per_second);

// "30d", "12h", "2w", "90m" from `now`; "2027-01-31" (expires at 00:00 UTC
// that day); "2027-01-31T18:30:00Z". A time not after `now` is refused.
Result<std::chrono::sys_seconds> parse_expiry(std::string_view text, std::chrono::sys_seconds now);
// ISO 8601 in UTC: "2027-01-31T00:00:00Z".
std::string format_time(std::chrono::sys_seconds time);
// The inverse of format_time (and of the bare date form above).
Result<std::chrono::sys_seconds> parse_time(std::string_view text);

// The start of the quota period that contains `now` (UTC): midnight today,
// Monday 00:00 of this week, or the 1st of this month; the quota's counter
// restarts there.
std::chrono::sys_seconds period_start(QuotaPeriod period, std::chrono::sys_seconds now);
// The start of the next period, when the counter next restarts.
std::chrono::sys_seconds next_period_start(QuotaPeriod period, std::chrono::sys_seconds now);

}  // namespace vpngw::model
