#include "collectors/syslog/timestamp.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.hpp"

namespace talaia::collectors::syslog {
namespace {

std::int64_t at(std::string_view rfc3339) { return core::parse_rfc3339(rfc3339).value(); }

std::string bsd(std::string_view text, std::string_view received, int default_year = 0) {
  const bsd_timestamp ts = parse_bsd_timestamp(text, at(received), default_year);
  if (ts.state != bsd_timestamp::status::valid) return "not valid";
  return core::format_rfc3339(ts.micros);
}

TEST(syslog_timestamp, iso_with_and_without_offset) {
  EXPECT_EQ(parse_iso_timestamp("2003-10-11T22:14:15.003Z"), at("2003-10-11T22:14:15.003Z"));
  EXPECT_EQ(parse_iso_timestamp("2003-08-24T05:14:15.000003-07:00"),
            at("2003-08-24T12:14:15.000003Z"));
  EXPECT_EQ(parse_iso_timestamp("2019-06-14T10:40:20.912134"), at("2019-06-14T10:40:20.912134Z"));
  EXPECT_EQ(parse_iso_timestamp("2019-06-14T10:40:20"), at("2019-06-14T10:40:20Z"));
  EXPECT_EQ(parse_iso_timestamp("2019-06-14T10:40:20.1234567890123456789012345678901234567890"),
            at("2019-06-14T10:40:20.123456Z"));
  EXPECT_EQ(parse_iso_timestamp("2016-12-31T23:59:60-04:00"), at("2017-01-01T04:00:00Z"));
}

TEST(syslog_timestamp, iso_rejects_impossible_dates_and_garbage) {
  for (const std::string_view text :
       {"2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-00-10T00:00:00Z",
        "2024-13-10T00:00:00Z",
        "2024-01-10T00:00:00.Z", "2024-01-10T00:00:00+0100", "2024-01-10", "", "-",
        "2024-01-10T00:00:00Zjunk", "abcd-01-10T00:00:00Z"})
    EXPECT_FALSE(parse_iso_timestamp(text).has_value()) << text;
  EXPECT_TRUE(parse_iso_timestamp("2024-02-29T00:00:00Z").has_value());
}

TEST(syslog_timestamp, bsd_absent_when_no_month_starts_it) {
  for (const std::string_view text : {"", "Ja", "Jan", "Jan ", "Janx 12 00:00:00", "Mayday",
                                      "May I help", "Foo 12 00:00:00", "12 Jan 00:00:00"}) {
    const bsd_timestamp ts = parse_bsd_timestamp(text, at("2026-01-15T12:00:00Z"), 0);
    EXPECT_EQ(ts.state, bsd_timestamp::status::absent) << text;
    EXPECT_EQ(ts.length, 0u) << text;
  }
}

TEST(syslog_timestamp, bsd_reports_length_consumed) {
  const auto len = [](std::string_view text) {
    return parse_bsd_timestamp(text, at("2026-01-15T12:00:00Z"), 0).length;
  };
  EXPECT_EQ(len("Jan 12 06:30:00 host"), 15u);
  EXPECT_EQ(len("Jan  2 06:30:00"), 15u);
  EXPECT_EQ(len("Jan 2 06:30:00 host"), 14u);
  EXPECT_EQ(len("Jan 12 06:30:00.123 host"), 19u);
  EXPECT_EQ(len("Jan 12 2007 06:30:00: %ASA"), 21u);
}

TEST(syslog_timestamp, bsd_year_inference) {
  // Within a month in the future of receipt: this year; further: last year.
  EXPECT_EQ(bsd("Feb 10 00:00:00", "2026-01-15T12:00:00Z"), "2026-02-10T00:00:00Z");
  EXPECT_EQ(bsd("Feb 20 00:00:00", "2026-01-15T12:00:00Z"), "2025-02-20T00:00:00Z");
  EXPECT_EQ(bsd("Dec 31 23:59:59", "2026-01-01T00:00:01Z"), "2025-12-31T23:59:59Z");
  // More than 11 months in the past of receipt: next year (sender clock slightly ahead).
  EXPECT_EQ(bsd("Jan  1 00:00:01", "2025-12-31T23:59:59Z"), "2026-01-01T00:00:01Z");
  EXPECT_EQ(bsd("Jan  1 00:00:01", "2026-06-30T00:00:00Z"), "2026-01-01T00:00:01Z");
  // Leap day only when the year has one.
  EXPECT_EQ(bsd("Feb 29 12:00:00", "2024-03-01T00:00:00Z"), "2024-02-29T12:00:00Z");
  EXPECT_EQ(bsd("Feb 29 12:00:00", "2025-03-01T00:00:00Z"), "not valid");
  // Explicit choices.
  EXPECT_EQ(bsd("Feb 20 00:00:00", "2026-01-15T12:00:00Z", 2026), "2026-02-20T00:00:00Z");
  EXPECT_EQ(bsd("Feb 20 1999 00:00:00", "2026-01-15T12:00:00Z", 2026), "1999-02-20T00:00:00Z");
}

TEST(syslog_timestamp, bsd_months_in_any_case) {
  const char* months[] = {"jan", "FEB", "Mar", "aPr", "May", "jun",
                          "Jul", "AUG", "sep", "Oct", "nov", "Dec"};
  for (int m = 0; m < 12; ++m) {
    const std::string text = std::string(months[m]) + " 10 10:00:00";
    const bsd_timestamp ts = parse_bsd_timestamp(text, 0, 2001);
    ASSERT_EQ(ts.state, bsd_timestamp::status::valid) << text;
    int y;
    unsigned mo, d;
    core::civil_from_days(ts.micros / 86400000000, y, mo, d);
    EXPECT_EQ(mo, static_cast<unsigned>(m + 1)) << text;
  }
}

}  // namespace
}  // namespace talaia::collectors::syslog
