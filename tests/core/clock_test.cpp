#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <iterator>
#include <random>
#include <string>

namespace talaia::core {
namespace {

TEST(clock, formats_utc_with_and_without_fraction) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'772'445'601'000'000), "2026-03-02T10:00:01Z");
  EXPECT_EQ(format_rfc3339(1'772'445'601'000'123), "2026-03-02T10:00:01.000123Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(253'402'300'800'000'000), "10000-01-01T00:00:00Z");  // past 9999: as printf does
  EXPECT_EQ(format_rfc3339(-62'167'219'200'000'001), "-001-12-31T23:59:59.999999Z");
  // Every format round-trips through the parser, across eras.
  for (std::int64_t m = -62'000'000'000'000'000; m < 253'000'000'000'000'000; m += 7'777'777'777'777'77)
    EXPECT_EQ(parse_rfc3339(format_rfc3339(m)), m) << m;
}

TEST(clock, parses_offsets_into_utc_and_keeps_microseconds) {
  EXPECT_EQ(parse_rfc3339("2026-03-02T10:00:01Z"), 1'772'445'601'000'000);
  EXPECT_EQ(parse_rfc3339("2026-03-02T12:00:01+02:00"), 1'772'445'601'000'000);
  EXPECT_EQ(parse_rfc3339("2026-03-02T05:30:01-04:30"), 1'772'445'601'000'000);
  EXPECT_EQ(parse_rfc3339("2026-03-02T10:00:01.5Z"), 1'772'445'601'500'000);
  EXPECT_EQ(parse_rfc3339("2026-03-02T10:00:01.123456789Z"), 1'772'445'601'123'456);  // beyond µs cut
}

TEST(clock, rejects_what_is_not_rfc3339) {
  for (const char* bad : {"", "2026-03-02", "2026-03-02T10:00:01", "2026-13-02T10:00:01Z", "2026-03-02T10:00:01.Z",
                          "2026-03-02T10:00:01Zjunk", "Mar  2 10:00:01", "2026-03-02T10:00:01+0200"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(clock, civil_days_round_trip_across_leap_years) {
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    int y;
    unsigned m, day;
    civil_from_days(d, y, m, day);
    EXPECT_EQ(days_from_civil(y, m, day), d);
  }
  EXPECT_EQ(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
}

// format_rfc3339 keeps the last day's date: alternating days, and times either side of midnight
// and of the epoch, must each get their own.
TEST(clock, formats_alternating_days_each_with_its_own_date) {
  const std::int64_t day = 86'400'000'000;
  const std::int64_t t = 1'700'000'000'000'000;  // 2023-11-14T22:13:20Z
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(format_rfc3339(t), "2023-11-14T22:13:20Z");
    EXPECT_EQ(format_rfc3339(t + day), "2023-11-15T22:13:20Z");
    EXPECT_EQ(format_rfc3339(t - 400 * day), "2022-10-10T22:13:20Z");
    EXPECT_EQ(format_rfc3339(t + 2 * day), "2023-11-16T22:13:20Z");
    EXPECT_EQ(format_rfc3339(t), "2023-11-14T22:13:20Z");
    EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  }
  char buf[rfc3339_max];
  EXPECT_EQ(std::string(buf, format_rfc3339(t + 1, buf)), "2023-11-14T22:13:20.000001Z");
}

// The kept minute texts must never leak into another minute: times from a random walk (steps
// within a minute, across minutes, hours, days and the epoch, and jumps back) against gmtime_r.
TEST(clock, formats_as_gmtime_over_a_random_walk_of_times) {
  std::mt19937_64 rng(7);
  const std::int64_t steps[] = {1, 999'999, 1'000'000, 59'000'000, 60'000'000, 3'600'000'000, 86'400'000'000};
  std::int64_t t = -2 * 86'400'000'000LL;
  for (int i = 0; i < 200'000; ++i) {
    const std::int64_t step = steps[rng() % std::size(steps)] * static_cast<std::int64_t>(rng() % 3);
    t += (rng() % 4 == 0) ? -step : step;
    if (rng() % 1000 == 0) t = static_cast<std::int64_t>(rng() % 253'402'300'799'000'000ULL);
    const std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1'000'000 : (t - 999'999) / 1'000'000);
    const std::int64_t frac = t - static_cast<std::int64_t>(secs) * 1'000'000;
    std::tm tm{};
    ASSERT_NE(gmtime_r(&secs, &tm), nullptr);
    char expected[64];
    std::size_t n = std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac != 0) n += static_cast<std::size_t>(std::snprintf(expected + n, sizeof expected - n, ".%06lld", static_cast<long long>(frac)));
    expected[n++] = 'Z';
    ASSERT_EQ(format_rfc3339(t), std::string(expected, n)) << t;
  }
}

// rfc3339_writer keeps whole seconds: times in, beside and between its kept seconds, with
// and without fractions, before the epoch and beyond year 9999 (not kept), as format_rfc3339.
TEST(clock, the_writer_writes_what_format_rfc3339_writes) {
  std::mt19937_64 rng(11);
  const std::int64_t steps[] = {0, 1, 999'999, 1'000'000, 1'000'001, 59'000'000, 86'400'000'000};
  rfc3339_writer writer;
  std::int64_t t = -3'000'000;
  for (int i = 0; i < 200'000; ++i) {
    const std::int64_t step = steps[rng() % std::size(steps)] * static_cast<std::int64_t>(rng() % 3);
    t += (rng() % 4 == 0) ? -step : step;
    if (rng() % 500 == 0) t = static_cast<std::int64_t>(rng() % 253'402'300'799'000'000ULL);
    if (rng() % 2000 == 0) t = 253'402'300'800'000'000LL + static_cast<std::int64_t>(rng() % 1'000'000);  // year 10000
    if (rng() % 8 == 0) t -= t % 1'000'000;  // no fraction
    char out[rfc3339_max + 8];
    char* end = writer.write(out, t);
    ASSERT_EQ(std::string(out, end), format_rfc3339(t)) << t;
  }
}

}  // namespace
}  // namespace talaia::core
