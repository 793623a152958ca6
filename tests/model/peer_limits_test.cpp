#include "model/peer_limits.hpp"

#include <gtest/gtest.h>

namespace vpngw::model {
namespace {

using namespace std::chrono;

sys_seconds at(std::string_view text) {
    auto t = parse_time(text);
    EXPECT_TRUE(t) << text;
    return t ? *t : sys_seconds{};
}

TEST(Quota, ParsesBinaryAndDecimalUnits) {
    auto q = parse_quota("50GiB/month");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->bytes, 50ull << 30);
    EXPECT_EQ(q->period, QuotaPeriod::month);
    auto d = parse_quota("500MB/day");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->bytes, 500'000'000ull);
    EXPECT_EQ(d->period, QuotaPeriod::day);
    auto b = parse_quota("17B/week");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->bytes, 17u);
}

TEST(Quota, RefusesMalformedWithTheValueInTheMessage) {
    for (const char* bad : {"50GiB", "GiB/month", "0MiB/day", "5XB/day", "-1MiB/day", "5MiB/year",
                            "99999999999TiB/month", "5 MiB/day", ""}) {
        auto q = parse_quota(bad);
        ASSERT_FALSE(q) << bad;
        EXPECT_NE(q.error().message.find('"'), std::string::npos) << q.error().message;
    }
}

TEST(Quota, FormatsTheShortestExactFormAndRoundTrips) {
    EXPECT_EQ(format_quota({50ull << 30, QuotaPeriod::month}), "50GiB/month");
    EXPECT_EQ(format_quota({1'500'000'000ull, QuotaPeriod::day}), "1500MB/day");
    EXPECT_EQ(format_quota({10ull << 20, QuotaPeriod::week}), "10MiB/week");
    EXPECT_EQ(format_quota({17, QuotaPeriod::week}), "17B/week");
    for (std::uint64_t bytes : {1ull, 1000ull, 1024ull, 123456789ull, 5ull << 40}) {
        Quota q{bytes, QuotaPeriod::day};
        auto back = parse_quota(format_quota(q));
        ASSERT_TRUE(back) << format_quota(q);
        EXPECT_EQ(*back, q);
    }
}

TEST(Rate, ParsesTcUnitsAndRefusesTooLow) {
    EXPECT_EQ(*parse_rate("20mbit"), 20'000'000u);
    EXPECT_EQ(*parse_rate("1gbit"), 1'000'000'000u);
    EXPECT_EQ(*parse_rate("500kbit"), 500'000u);
    EXPECT_FALSE(parse_rate("7999bit"));
    EXPECT_FALSE(parse_rate("20Mbit/s"));
    EXPECT_FALSE(parse_rate("mbit"));
    EXPECT_EQ(format_rate(20'000'000), "20mbit");
    EXPECT_EQ(format_rate(1'500'000), "1500kbit");
    EXPECT_EQ(format_rate(8001), "8001bit");
}

TEST(Expiry, SpansDatesAndTimes) {
    sys_seconds now = at("2026-12-07T08:00:00Z");
    EXPECT_EQ(*parse_expiry("30d", now), now + days{30});
    EXPECT_EQ(*parse_expiry("12h", now), now + hours{12});
    EXPECT_EQ(*parse_expiry("2w", now), now + days{14});
    EXPECT_EQ(*parse_expiry("90m", now), now + minutes{90});
    EXPECT_EQ(format_time(*parse_expiry("2027-01-31", now)), "2027-01-31T00:00:00Z");
    EXPECT_EQ(format_time(*parse_expiry("2027-01-31T18:30:05Z", now)), "2027-01-31T18:30:05Z");
}

TEST(Expiry, RefusesPastAndMalformed) {
    sys_seconds now = at("2026-12-07T08:00:00Z");
    for (const char* bad : {"2026-12-07", "2020-01-01", "0d", "-3d", "30", "30y", "2027-02-30",
                            "2027-01-31T24:00:00Z", "2027-01-31 18:30:00", "d"})
        EXPECT_FALSE(parse_expiry(bad, now)) << bad;
}

TEST(QuotaPeriod, StartsAtMidnightMondayAndTheFirst) {
    sys_seconds now = at("2026-12-09T15:04:05Z");  // a Wednesday
    EXPECT_EQ(format_time(period_start(QuotaPeriod::day, now)), "2026-12-09T00:00:00Z");
    EXPECT_EQ(format_time(period_start(QuotaPeriod::week, now)), "2026-12-07T00:00:00Z");
    EXPECT_EQ(format_time(period_start(QuotaPeriod::month, now)), "2026-12-01T00:00:00Z");
    EXPECT_EQ(format_time(next_period_start(QuotaPeriod::day, now)), "2026-12-10T00:00:00Z");
    EXPECT_EQ(format_time(next_period_start(QuotaPeriod::week, now)), "2026-12-14T00:00:00Z");
    EXPECT_EQ(format_time(next_period_start(QuotaPeriod::month, now)), "2027-01-01T00:00:00Z");
    sys_seconds monday = at("2026-12-07T00:00:00Z");
    EXPECT_EQ(period_start(QuotaPeriod::week, monday), monday);
}

}  // namespace
}  // namespace vpngw::model
