// Time zones for zone-less syslog times: fixed offsets, IANA zones from TZif, abbreviations.
#include <gtest/gtest.h>

#include "collectors/syslog/time_zone.hpp"
#include "core/clock.hpp"
#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;

std::int64_t at(std::string_view text) { return core::parse_rfc3339(text).value(); }

TEST(syslog_time_zone, offsets_and_names) {
  EXPECT_EQ(parse_utc_offset("+02:00"), 7200);
  EXPECT_EQ(parse_utc_offset("-0530"), -19800);
  EXPECT_EQ(parse_utc_offset("+2"), 7200);
  EXPECT_EQ(parse_utc_offset("Z"), 0);
  EXPECT_EQ(parse_utc_offset("2"), std::nullopt);
  EXPECT_EQ(parse_utc_offset("+25:00"), std::nullopt);
  EXPECT_EQ(abbreviation_offset("mest"), 7200);
  EXPECT_EQ(abbreviation_offset("EST"), -18000);
  EXPECT_EQ(abbreviation_offset("XYZ"), std::nullopt);
  EXPECT_FALSE(time_zone::make("Mars/Olympus").ok());
  EXPECT_FALSE(time_zone::make("../../etc/passwd").ok());
}

TEST(syslog_time_zone, iana_zone_across_daylight_saving) {
  auto madrid = time_zone::make("Europe/Madrid");
  ASSERT_TRUE(madrid) << madrid.err().message;
  EXPECT_EQ(madrid->to_utc(at("2026-01-15T12:00:00Z")), at("2026-01-15T11:00:00Z"));
  EXPECT_EQ(madrid->to_utc(at("2026-07-15T12:00:00Z")), at("2026-07-15T10:00:00Z"));
  // 2026-10-25 02:30 happens twice: the earlier instant (still CEST).
  EXPECT_EQ(madrid->to_utc(at("2026-10-25T02:30:00Z")), at("2026-10-25T00:30:00Z"));
  auto new_york = time_zone::make("America/New_York");
  ASSERT_TRUE(new_york);
  EXPECT_EQ(new_york->to_utc(at("2026-01-15T12:00:00Z")), at("2026-01-15T17:00:00Z"));
}

TEST(syslog_time_zone, garbage_is_no_tzif) {
  EXPECT_FALSE(time_zone::from_tzif("TZif2 but far too short"));
  EXPECT_FALSE(time_zone::from_tzif(""));
}

TEST(syslog_time_zone, applied_to_zoneless_headers_only) {
  auto madrid = time_zone::make("Europe/Madrid");
  ASSERT_TRUE(madrid);
  const parse_context ctx{testing::received_at(), "192.0.2.1", 0, &*madrid};
  core::event bsd;
  parse("<13>Jan 15 11:00:00 host app: hi", ctx, bsd);
  EXPECT_EQ(field(bsd, "timestamp"), "2026-01-15T10:00:00Z");
  core::event iso_local;
  parse("<13>1 2026-01-15T11:00:00 host app - - - hi", ctx, iso_local);
  EXPECT_EQ(field(iso_local, "timestamp"), "2026-01-15T10:00:00Z");
  core::event iso_offset;
  parse("<13>1 2026-01-15T11:00:00+00:00 host app - - - hi", ctx, iso_offset);
  EXPECT_EQ(field(iso_offset, "timestamp"), "2026-01-15T11:00:00Z");
  core::event cisco_known;
  parse("<189>5: r1: *Jan 15 11:00:00.000 UTC: %SYS-5-CONFIG_I: x", ctx, cisco_known);
  EXPECT_EQ(field(cisco_known, "timestamp"), "2026-01-15T11:00:00Z");
}

TEST(syslog_time_zone, default_year_for_old_captures) {
  const auto e = testing::parse_line("<13>Feb 29 11:00:00 host app: leap", testing::received_at(), 2024);
  EXPECT_EQ(field(e, "timestamp"), "2024-02-29T11:00:00Z");
}

}  // namespace
}  // namespace talaia::collectors::syslog
