#include "correlator/correlate.hpp"

#include <gtest/gtest.h>

namespace talaia::correlator {
namespace {

constexpr std::int64_t minute = 60'000'000;

core::detection det(std::string rule, std::string host, std::int64_t t, std::string event_id) {
  core::detection d;
  d.rule.id = rule;
  d.rule.title = "T";
  d.group = {{"hostname", host}};
  d.time = t;
  d.event_json = R"({"id":")" + event_id + R"("})";
  return d;
}

correlate_settings settings(std::size_t evidence = 10) {
  correlate_settings s;
  s.max_evidence = evidence;
  return s;
}

// The tracker fed one detection, as the correlator does for a plain rule.
struct tracker : incident_tracker {
  using incident_tracker::incident_tracker;
  change apply(const core::detection& d) { return record(d.rule, d.group, d.time, {d.event_json}, 1); }
};

TEST(incident_tracker, one_open_incident_per_rule_and_group) {
  tracker c(settings());
  auto a = c.apply(det("r", "web1", 0, "e1"));
  EXPECT_TRUE(a.opened);
  const std::string id = a.incident->id;
  auto b = c.apply(det("r", "web1", 5 * minute, "e2"));
  EXPECT_FALSE(b.opened);
  EXPECT_EQ(b.incident->id, id);
  EXPECT_EQ(b.incident->event_count, 2u);
  EXPECT_EQ(b.incident->last_seen, 5 * minute);
  EXPECT_EQ(b.incident->events.size(), 2u);
  EXPECT_TRUE(c.apply(det("r", "web2", 6 * minute, "e3")).opened);   // another group
  EXPECT_TRUE(c.apply(det("r2", "web1", 6 * minute, "e4")).opened);  // another rule
  EXPECT_EQ(c.open_incidents().size(), 3u);
}

TEST(incident_tracker, quiet_period_without_a_match_closes_the_incident) {
  tracker c(settings());
  auto first = std::string(c.apply(det("r", "h", 0, "e1")).incident->id);
  EXPECT_FALSE(c.apply(det("r", "h", 60 * minute, "e2")).opened);  // exactly the quiet period: still open
  auto later = c.apply(det("r", "h", 121 * minute, "e3"));           // 61 minutes after the last
  EXPECT_TRUE(later.opened);
  EXPECT_NE(later.incident->id, first);
  EXPECT_EQ(later.incident->event_count, 1u);
}

TEST(incident_tracker, late_events_count_but_events_from_long_before_open_their_own) {
  tracker c(settings());
  c.apply(det("r", "h", 100 * minute, "e1"));
  auto late = c.apply(det("r", "h", 90 * minute, "e2"));
  EXPECT_FALSE(late.opened);
  EXPECT_EQ(late.incident->first_seen, 100 * minute);  // the id stays tied to the opening time
  EXPECT_EQ(late.incident->last_seen, 100 * minute);
  EXPECT_TRUE(c.apply(det("r", "h", 10 * minute, "e3")).opened);
}

TEST(incident_tracker, redelivered_event_is_not_counted_twice) {
  tracker c(settings());
  c.apply(det("r", "h", 0, "e1"));
  auto again = c.apply(det("r", "h", 0, "e1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.incident->event_count, 1u);
}

TEST(incident_tracker, evidence_is_capped_but_every_event_counted) {
  tracker c(settings(3));
  for (int i = 0; i < 8; ++i) c.apply(det("r", "h", i, "e" + std::to_string(i)));
  const auto& inc = c.open_incidents().begin()->second;
  EXPECT_EQ(inc.event_count, 8u);
  EXPECT_EQ(inc.events.size(), 3u);
}

TEST(incident_tracker, same_detections_give_the_same_ids) {
  tracker a(settings()), b(settings());
  EXPECT_EQ(a.apply(det("r", "h", 42, "x")).incident->id, b.apply(det("r", "h", 42, "y")).incident->id);
}

TEST(incident_tracker, expire_drops_incidents_quiet_for_longer_than_the_period) {
  tracker c(settings());
  c.apply(det("r", "old", 0, "e1"));
  c.apply(det("r", "new", 100 * minute, "e2"));
  auto gone = c.expire(100 * minute);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(c.open_incidents().size(), 1u);
  EXPECT_NE(c.open_incidents().begin()->first.find("new"), std::string::npos);
}

}  // namespace
}  // namespace talaia::correlator
