#include "model/peer_limits.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <limits>

namespace vpngw::model {
namespace {

using namespace std::chrono;

struct Unit {
    std::string_view name;
    std::uint64_t factor;
};

// Longest names first where one is a suffix of another ("KiB" before "B").
constexpr std::array<Unit, 9> kSizeUnits{{{"KiB", 1ull << 10},
                                          {"MiB", 1ull << 20},
                                          {"GiB", 1ull << 30},
                                          {"TiB", 1ull << 40},
                                          {"KB", 1000ull},
                                          {"MB", 1000ull * 1000},
                                          {"GB", 1000ull * 1000 * 1000},
                                          {"TB", 1000ull * 1000 * 1000 * 1000},
                                          {"B", 1}}};

constexpr std::array<Unit, 4> kRateUnits{
    {{"kbit", 1000ull}, {"mbit", 1000ull * 1000}, {"gbit", 1000ull * 1000 * 1000}, {"bit", 1}}};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A positive decimal count followed by one of `units`, without overflow.
template <std::size_t N>
Result<std::uint64_t> parse_amount(std::string_view text, const std::array<Unit, N>& units,
                                   std::string_view what, std::string_view forms) {
    auto refuse = [&](std::string why) {
        return Error{std::string(what) + " \"" + std::string(text) + "\" " + why + " (" +
                     std::string(forms) + ")"};
    };
    for (const Unit& u : units) {
        if (!ends_with(text, u.name)) continue;
        std::string_view digits = text.substr(0, text.size() - u.name.size());
        std::uint64_t n = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
            return refuse("is not a whole number with a unit");
        if (n == 0) return refuse("must be more than zero");
        if (n > std::numeric_limits<std::uint64_t>::max() / u.factor) return refuse("is too large");
        return n * u.factor;
    }
    return refuse("has no known unit");
}

}  // namespace

const char* to_string(QuotaPeriod p) {
    switch (p) {
        case QuotaPeriod::day:
            return "day";
        case QuotaPeriod::week:
            return "week";
        case QuotaPeriod::month:
            return "month";
    }
    return "?";
}

Result<QuotaPeriod> parse_quota_period(std::string_view text) {
    for (auto p : {QuotaPeriod::day, QuotaPeriod::week, QuotaPeriod::month})
        if (text == to_string(p)) return p;
    return Error{"quota period \"" + std::string(text) + "\" is not day, week or month"};
}

Result<Quota> parse_quota(std::string_view text) {
    constexpr std::string_view forms = "e.g. 50GiB/month, 500MB/day, 1TiB/week";
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return Error{"quota \"" + std::string(text) + "\" has no period (" + std::string(forms) +
                     ")"};
    auto bytes = parse_amount(text.substr(0, slash), kSizeUnits, "quota size", forms);
    if (!bytes) return bytes.error();
    auto period = parse_quota_period(text.substr(slash + 1));
    if (!period) return period.error();
    return Quota{*bytes, *period};
}

std::string format_quota(const Quota& quota) {
    // The largest unit that divides the count exactly.
    std::string text = std::to_string(quota.bytes) + "B";
    for (const Unit& u : kSizeUnits)
        if (u.factor > 1 && quota.bytes % u.factor == 0 &&
            std::to_string(quota.bytes / u.factor).size() + u.name.size() < text.size())
            text = std::to_string(quota.bytes / u.factor) + std::string(u.name);
    return text + "/" + to_string(quota.period);
}

Result<std::uint64_t> parse_rate(std::string_view text) {
    auto bits = parse_amount(text, kRateUnits, "rate", "e.g. 20mbit, 500kbit, 1gbit");
    if (!bits) return bits.error();
    if (*bits < 8000)
        return Error{"rate \"" + std::string(text) + "\" is below 8kbit, the least a peer needs"};
    return *bits;
}

std::string format_rate(std::uint64_t bits) {
    // kRateUnits lists kbit, mbit, gbit, bit: the largest exact one wins.
    for (int i = 2; i >= 0; --i)
        if (bits % kRateUnits[i].factor == 0)
            return std::to_string(bits / kRateUnits[i].factor) + std::string(kRateUnits[i].name);
    return std::to_string(bits) + "bit";
}

namespace {

// Digits of exactly `n` characters at `pos`, or -1.
int fixed_number(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

}  // namespace

Result<sys_seconds> parse_time(std::string_view text) {
    auto refuse = [&] {
        return Error{"time \"" + std::string(text) +
                     "\" is not a date (2027-01-31) or UTC time (2027-01-31T18:30:00Z)"};
    };
    if (text.size() != 10 && text.size() != 20) return refuse();
    int y = fixed_number(text, 0, 4), m = fixed_number(text, 5, 2), d = fixed_number(text, 8, 2);
    if (y < 0 || m < 0 || d < 0 || text[4] != '-' || text[7] != '-') return refuse();
    year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return refuse();
    sys_seconds t = sys_days{date};
    if (text.size() == 10) return t;
    int hh = fixed_number(text, 11, 2), mm = fixed_number(text, 14, 2),
        ss = fixed_number(text, 17, 2);
    if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z' || hh < 0 ||
        hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
        return refuse();
    return t + hours{hh} + minutes{mm} + seconds{ss};
}

std::string format_time(sys_seconds t) {
    sys_days day_start = floor<days>(t);
    year_month_day date{day_start};
    hh_mm_ss<seconds> clock{t - day_start};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", int(date.year()),
                  unsigned(date.month()), unsigned(date.day()), long(clock.hours().count()),
                  long(clock.minutes().count()), static_cast<long long>(clock.seconds().count()));
    return buf;
}

Result<sys_seconds> parse_expiry(std::string_view text, sys_seconds now) {
    sys_seconds at{};
    constexpr std::array<std::pair<char, std::int64_t>, 4> kSpans{
        {{'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}}};
    bool relative = false;
    for (auto [suffix, unit] : kSpans) {
        if (text.size() < 2 || text.back() != suffix) continue;
        std::int64_t n = 0;
        auto digits = text.substr(0, text.size() - 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec != std::errc{} || end != digits.data() + digits.size() || n <= 0 ||
            n > std::int64_t{100} * 366 * 86400 / unit)
            return Error{"expiry \"" + std::string(text) +
                         "\" is not a count of m, h, d or w (e.g. 30d) within 100 years"};
        at = now + seconds{n * unit};
        relative = true;
        break;
    }
    if (!relative) {
        auto t = parse_time(text);
        if (!t)
            return Error{"expiry \"" + std::string(text) +
                         "\" is neither a span (30d, 12h, 2w) nor a date (2027-01-31) or UTC time "
                         "(2027-01-31T18:30:00Z)"};
        at = *t;
    }
    if (at <= now)
        return Error{"expiry \"" + std::string(text) + "\" is not in the future (now is " +
                     format_time(now) + ")"};
    return at;
}

sys_seconds period_start(QuotaPeriod period, sys_seconds now) {
    sys_days today = floor<days>(now);
    switch (period) {
        case QuotaPeriod::day:
            return today;
        case QuotaPeriod::week: {
            weekday wd{today};
            return today - days{(wd.c_encoding() + 6) % 7};  // back to Monday
        }
        case QuotaPeriod::month: {
            year_month_day ymd{today};
            return sys_days{ymd.year() / ymd.month() / 1};
        }
    }
    return today;
}

sys_seconds next_period_start(QuotaPeriod period, sys_seconds now) {
    sys_seconds start = period_start(period, now);
    switch (period) {
        case QuotaPeriod::day:
            return start + days{1};
        case QuotaPeriod::week:
            return start + days{7};
        case QuotaPeriod::month: {
            year_month_day ymd{floor<days>(start)};
            return sys_days{(ymd.year() / ymd.month() + months{1}) / 1};
        }
    }
    return start;
}

}  // namespace vpngw::model
