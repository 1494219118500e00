// Sigma correlation rules: loading, resolving, and the engine's event-time semantics, one table
// row or test per choice documented in correlator/correlation_engine.hpp.
#include <gtest/gtest.h>

#include "core/json.hpp"
#include "correlator/correlate.hpp"
#include "correlator/correlation_engine.hpp"
#include "correlator/detect.hpp"
#include "rules/loader.hpp"
#include "tests/correlator/rules_text.hpp"

namespace talaia::correlator {
namespace {

constexpr std::int64_t second = 1'000'000;
constexpr std::int64_t minute = 60 * second;

// Base rules every test can reference: `fail` (message contains "failed"), `ok` ("accepted").
const char* base_rules = R"(
title: failed login
id: 11111111-0000-0000-0000-000000000001
name: fail
logsource: {product: linux}
detection:
  sel: {message|contains: failed}
  condition: sel
level: low
---
title: accepted login
id: 11111111-0000-0000-0000-000000000002
name: ok
logsource: {product: linux}
detection:
  sel: {message|contains: accepted}
  condition: sel
level: low
)";

using fixture = testing::loaded_rules;

fixture build(const std::string& correlation_yaml) {
  fixture f = testing::load_rules_text(std::string(base_rules) + "---\n" + correlation_yaml);
  EXPECT_TRUE(f.rules != nullptr);
  return f;
}

// Events through the real detector and correlator, as the stages run them.
struct pipeline {
  fixture f;
  detector det;
  correlator cor;
  std::vector<core::incident> incidents;  // every change, in order
  int seq = 0;

  explicit pipeline(const std::string& yaml, engine_settings es = {})
      : f(build(yaml)),
        det(*detector::make(f.rules, {}, f.correlations)),
        cor(settings(es), f.correlations) {
    EXPECT_TRUE(f.errors.empty()) << rules::to_string(f.errors.at(0));
  }
  static correlate_settings settings(engine_settings es) {
    correlate_settings s;
    s.engine = es;
    return s;
  }
  void send(std::int64_t t, const std::string& message, const std::string& host = "web1", const std::string& user = "") {
    core::event ev;
    ev.set_string("id", "e" + std::to_string(++seq));
    ev.set_time("timestamp", t);
    if (!host.empty()) ev.set_string("hostname", host);
    if (!user.empty()) ev.set_string("user", user);
    ev.set_string("message", message);
    std::vector<core::detection> found;
    det.detect(ev, core::encode_event(ev), found);
    std::vector<correlator::change> changes;
    for (const auto& d : found) cor.apply(d, changes);
    for (const auto& c : changes) incidents.push_back(*c.incident);
  }
  void finish() {
    std::vector<correlator::change> changes;
    cor.finish(INT64_MAX, changes);
    for (const auto& c : changes) incidents.push_back(*c.incident);
  }
  std::size_t opened(const std::string& rule_id) const {
    std::set<std::string> ids;
    for (const auto& i : incidents)
      if (i.rule.id == rule_id) ids.insert(i.id);
    return ids.size();
  }
  const core::incident* last(const std::string& rule_id) const {
    for (auto it = incidents.rbegin(); it != incidents.rend(); ++it)
      if (it->rule.id == rule_id) return &*it;
    return nullptr;
  }
};

const std::string brute = R"(
title: brute force
id: c-brute
correlation:
  type: event_count
  rules: [fail]
  group-by: [hostname]
  timespan: 1m
  condition: {gte: 3}
level: high
)";

TEST(correlation_load, spec_example_loads_and_chains) {
  auto c = load_correlations_text(R"(
title: outer
id: o
correlation: {type: temporal_ordered, rules: [multiple, ok], group-by: [hostname], timespan: 10m}
---
title: inner
id: i
name: multiple
correlation: {type: event_count, rules: [fail], group-by: [hostname], timespan: 10m, condition: {gte: 3}}
)", "x.yml");
  EXPECT_TRUE(c.errors.empty());
  ASSERT_EQ(c.correlations.size(), 2u);
  EXPECT_EQ(c.correlations[0].type, correlation_type::temporal_ordered);
  EXPECT_EQ(c.correlations[0].timespan_micros, 10 * minute);
  EXPECT_EQ(c.correlations[1].condition.gte, 3);
  EXPECT_FALSE(c.correlations[1].generate);
}

TEST(correlation_load, problems_are_reported_with_file_and_line) {
  struct row {
    const char* yaml;
    const char* expect;
  } rows[] = {
      {"title: t\ncorrelation: {rules: [fail], timespan: 1m}\n", "without type"},
      {"title: t\ncorrelation:\n  type: value_avg\n  rules: [fail]\n  timespan: 1m\n", "unsupported correlation type 'value_avg'"},
      {"title: t\ncorrelation: {type: event_count, rules: [fail], condition: {gte: 1}}\n", "without timespan"},
      {"title: t\ncorrelation: {type: event_count, rules: [fail], timespan: 5 minutes, condition: {gte: 1}}\n", "timespan must look like"},
      {"title: t\ncorrelation: {type: event_count, rules: [fail], timespan: 1m}\n", "needs a condition"},
      {"title: t\ncorrelation: {type: value_count, rules: [fail], timespan: 1m, condition: {gte: 2}}\n", "needs condition.field"},
      {"title: t\ncorrelation: {type: event_count, rules: [fail], timespan: 1m, condition: {more: 2}}\n", "unknown correlation condition operator 'more'"},
      {"title: t\ncorrelation: {type: temporal, rules: [fail], timespan: 1m}\n", "at least two rules"},
      {"title: t\ncorrelation: {type: event_count, rules: [fail], timespan: 1m, condition: {gte: 1}, groupby: [x]}\n", "unknown key 'groupby'"},
  };
  for (const auto& r : rows) {
    auto c = load_correlations_text(r.yaml, "bad.yml");
    ASSERT_FALSE(c.errors.empty()) << r.yaml;
    EXPECT_NE(c.errors[0].message.find(r.expect), std::string::npos) << c.errors[0].message;
    EXPECT_GT(c.errors[0].line, 0) << r.yaml;
    EXPECT_TRUE(c.correlations.empty());
  }
}

TEST(correlation_load, unknown_reference_and_cycles_are_errors) {
  auto f = build("title: t\nid: x\ncorrelation: {type: event_count, rules: [nope], timespan: 1m, condition: {gte: 1}}\n");
  ASSERT_EQ(f.errors.size(), 1u);  // reported once, by the rule loader
  EXPECT_NE(f.errors[0].message.find("'nope'"), std::string::npos) << f.errors[0].message;
  EXPECT_TRUE(f.correlations->correlations().empty());
  f = build("title: a\nid: a\ncorrelation: {type: event_count, rules: [b], timespan: 1m, condition: {gte: 1}}\n---\n"
            "title: b\nid: b\ncorrelation: {type: event_count, rules: [a], timespan: 1m, condition: {gte: 1}}\n");
  EXPECT_EQ(f.errors.size(), 2u);
  EXPECT_TRUE(f.correlations->correlations().empty());
}

TEST(event_count, fires_when_the_condition_first_holds_then_updates_during_suppression) {
  pipeline p(brute);
  p.send(0, "failed");
  p.send(10 * second, "failed");
  EXPECT_EQ(p.opened("c-brute"), 0u);
  p.send(20 * second, "failed");
  ASSERT_EQ(p.opened("c-brute"), 1u);
  EXPECT_EQ(p.last("c-brute")->event_count, 3u);
  EXPECT_EQ(p.last("c-brute")->events.size(), 3u);
  EXPECT_EQ(p.last("c-brute")->group, (core::group_values{{"hostname", "web1"}}));
  p.send(30 * second, "failed");  // suppressed: the incident grows, nothing new opens
  EXPECT_EQ(p.opened("c-brute"), 1u);
  EXPECT_EQ(p.last("c-brute")->event_count, 4u);
  // The referenced rule opens no incident of its own (generate defaults to false).
  EXPECT_EQ(p.opened("11111111-0000-0000-0000-000000000001"), 0u);
}

TEST(event_count, sliding_window_forgets_detections_older_than_the_timespan) {
  pipeline p(brute);
  p.send(0, "failed");
  p.send(40 * second, "failed");
  p.send(70 * second, "failed");  // the first is now 70 s old: only two in the last minute
  EXPECT_EQ(p.opened("c-brute"), 0u);
  p.send(80 * second, "failed");
  EXPECT_EQ(p.opened("c-brute"), 1u);
}

TEST(event_count, groups_are_separate) {
  pipeline p(brute);
  for (int i = 0; i < 2; ++i) p.send(i * second, "failed", "web1");
  for (int i = 0; i < 2; ++i) p.send(i * second, "failed", "web2");
  EXPECT_EQ(p.opened("c-brute"), 0u);
  p.send(5 * second, "failed", "web2");
  ASSERT_EQ(p.opened("c-brute"), 1u);
  EXPECT_EQ(p.last("c-brute")->group.at(0).second, "web2");
}

TEST(event_count, detections_lacking_a_group_field_are_not_counted) {
  pipeline p(brute);
  for (int i = 0; i < 5; ++i) p.send(i * second, "failed", "");
  EXPECT_EQ(p.opened("c-brute"), 0u);
  EXPECT_EQ(p.cor.engine_counters_now().missing_group_field, 5u);
}

TEST(event_count, late_detections_beyond_the_allowed_lateness_are_counted_not_merged) {
  engine_settings es;
  es.allowed_lateness_micros = 30 * second;
  pipeline p(brute, es);
  p.send(10 * minute, "failed");
  p.send(10 * minute - 20 * second, "failed");  // late but allowed: merged in time order
  p.send(10 * minute - 10 * second, "failed");
  EXPECT_EQ(p.opened("c-brute"), 1u);
  p.send(5 * minute, "failed");  // five minutes behind the watermark
  EXPECT_EQ(p.cor.engine_counters_now().late, 1u);
}

TEST(event_count, lt_is_decided_when_the_window_closes) {
  pipeline p(R"(
title: too few
id: c-few
correlation: {type: event_count, rules: [fail], group-by: [hostname], timespan: 1m, condition: {lt: 3}}
)");
  p.send(0, "failed", "quiet");
  p.send(0, "failed", "busy");
  p.send(10 * second, "failed", "busy");
  p.send(20 * second, "failed", "busy");
  EXPECT_EQ(p.opened("c-few"), 0u);  // nothing is decided before the window ends
  p.send(10 * minute, "failed", "other");  // moves the watermark past both windows
  ASSERT_EQ(p.opened("c-few"), 1u);
  EXPECT_EQ(p.last("c-few")->group.at(0).second, "quiet");
  EXPECT_EQ(p.last("c-few")->first_seen, minute);  // fired at the window's end
}

TEST(value_count, counts_distinct_values_of_the_field) {
  pipeline p(R"(
title: spraying
id: c-spray
correlation:
  type: value_count
  rules: [fail]
  group-by: [hostname]
  timespan: 5m
  condition: {field: user, gte: 3}
)");
  p.send(0, "failed", "web1", "alice");
  p.send(1 * second, "failed", "web1", "alice");
  p.send(2 * second, "failed", "web1", "bob");
  EXPECT_EQ(p.opened("c-spray"), 0u);
  p.send(3 * second, "failed", "web1", "carol");
  EXPECT_EQ(p.opened("c-spray"), 1u);
}

TEST(value_sum, sums_a_numeric_field) {
  pipeline p(R"(
title: volume
id: c-sum
correlation:
  type: value_sum
  rules: [fail]
  group-by: [hostname]
  timespan: 1h
  condition: {field: user, gt: 100}
)");
  p.send(0, "failed", "h", "60");
  EXPECT_EQ(p.opened("c-sum"), 0u);
  p.send(1 * second, "failed", "h", "41");
  EXPECT_EQ(p.opened("c-sum"), 1u);
}

TEST(temporal, fires_when_every_rule_matched_within_the_timespan_in_any_order) {
  pipeline p(R"(
title: both
id: c-both
correlation: {type: temporal, rules: [ok, fail], group-by: [hostname], timespan: 1m}
)");
  p.send(0, "accepted");
  p.send(2 * minute, "failed");  // too far apart
  EXPECT_EQ(p.opened("c-both"), 0u);
  p.send(2 * minute + 5 * second, "accepted");
  EXPECT_EQ(p.opened("c-both"), 1u);
}

TEST(temporal_ordered, needs_the_listed_order_and_counts_ties_as_ordered) {
  const std::string rule = R"(
title: fail then ok
id: c-seq
correlation: {type: temporal_ordered, rules: [fail, ok], group-by: [hostname], timespan: 5m}
)";
  pipeline wrong(rule);
  wrong.send(0, "accepted");
  wrong.send(10 * second, "failed");
  EXPECT_EQ(wrong.opened("c-seq"), 0u);
  pipeline right(rule);
  right.send(0, "failed");
  right.send(10 * second, "accepted");
  EXPECT_EQ(right.opened("c-seq"), 1u);
  pipeline tie(rule);
  tie.send(7 * second, "accepted");
  tie.send(7 * second, "failed");
  EXPECT_EQ(tie.opened("c-seq"), 1u);
}

TEST(chaining, brute_force_followed_by_success_as_in_the_specification) {
  pipeline p(R"(
title: brute force then success
id: c-outer
correlation: {type: temporal_ordered, rules: [many_failures, ok], group-by: [hostname], timespan: 10m}
level: critical
---
title: many failures
id: c-inner
name: many_failures
correlation: {type: event_count, rules: [fail], group-by: [hostname], timespan: 10m, condition: {gte: 3}}
)");
  p.send(0, "accepted");  // a success before the failures does not count
  for (int i = 1; i <= 5; ++i) p.send(i * second, "failed");
  EXPECT_EQ(p.opened("c-outer"), 0u);
  p.send(30 * second, "accepted");
  ASSERT_EQ(p.opened("c-outer"), 1u);
  EXPECT_EQ(p.last("c-outer")->rule.level, "critical");
  // Referenced only by correlations, neither the inner correlation nor the base rules open
  // incidents of their own.
  EXPECT_EQ(p.opened("c-inner"), 0u);
  EXPECT_EQ(p.opened("11111111-0000-0000-0000-000000000002"), 0u);
}

TEST(generate, true_keeps_the_referenced_rules_incidents) {
  pipeline p(R"(
title: brute force
id: c-gen
correlation: {type: event_count, rules: [fail], group-by: [hostname], timespan: 1m, condition: {gte: 2}, generate: true}
)");
  p.send(0, "failed");
  p.send(1 * second, "failed");
  EXPECT_EQ(p.opened("c-gen"), 1u);
  EXPECT_EQ(p.opened("11111111-0000-0000-0000-000000000001"), 1u);
}

TEST(aliases, group_events_whose_fields_have_different_names) {
  pipeline p(R"(
title: same person
id: c-alias
correlation:
  type: temporal
  rules: [fail, ok]
  group-by: [who]
  timespan: 1m
  aliases:
    who: {fail: user, ok: hostname}
)");
  p.send(0, "failed", "somehost", "alice");
  p.send(1 * second, "accepted", "alice", "");
  ASSERT_EQ(p.opened("c-alias"), 1u);
  EXPECT_EQ(p.last("c-alias")->group, (core::group_values{{"who", "alice"}}));
}

TEST(state_bound, least_recently_updated_groups_are_evicted_beyond_the_cap) {
  engine_settings es;
  es.max_groups_per_rule = 2;
  pipeline p(brute, es);
  p.send(0, "failed", "a");
  p.send(1, "failed", "b");
  p.send(2, "failed", "c");  // evicts a
  EXPECT_EQ(p.cor.engine_counters_now().evicted, 1u);
  p.send(3, "failed", "a");
  p.send(4, "failed", "a");  // a starts over: only two
  EXPECT_EQ(p.opened("c-brute"), 0u);
}

// Loading the state of a group that is already open replaces it: the group counts once toward the
// cap, and eviction later takes only the least recently updated group.
TEST(persistence, loading_a_group_that_is_open_replaces_it) {
  engine_settings es;
  es.max_groups_per_rule = 2;
  pipeline p(brute, es);
  p.send(0, "failed", "a");
  const auto saved = p.cor.engine().save();
  p.send(1 * second, "failed", "b");
  p.send(3 * second, "failed", "a");
  for (const auto& [key, json] : saved) p.cor.engine().load(key, json);  // a, as it was at 0
  EXPECT_EQ(p.cor.engine().group_count(), 2u);
  p.send(5 * second, "failed", "c");  // evicts a (updated at 0), not b
  EXPECT_EQ(p.cor.engine_counters_now().evicted, 1u);
  EXPECT_EQ(p.cor.engine().group_count(), 2u);
  p.send(6 * second, "failed", "b");
  p.send(7 * second, "failed", "b");  // b's window kept its first failure: three
  EXPECT_EQ(p.opened("c-brute"), 1u);
}

TEST(persistence, saved_windows_carry_on_after_a_restart) {
  pipeline before(brute);
  before.send(0, "failed");
  before.send(10 * second, "failed");
  auto saved = before.cor.engine().save();
  ASSERT_EQ(saved.size(), 1u);
  pipeline after(brute);
  for (const auto& [key, json] : saved) after.cor.engine().load(key, json);
  after.send(20 * second, "failed");
  ASSERT_EQ(after.opened("c-brute"), 1u);
  EXPECT_EQ(after.last("c-brute")->event_count, 3u);
  // The same incident id as a run without the restart.
  pipeline straight(brute);
  for (int i = 0; i < 3; ++i) straight.send(i * 10 * second, "failed");
  EXPECT_EQ(after.last("c-brute")->id, straight.last("c-brute")->id);
  // A window whose correlation is gone is dropped, not misapplied.
  pipeline other(R"(
title: unrelated
id: c-other
correlation: {type: event_count, rules: [ok], group-by: [hostname], timespan: 1m, condition: {gte: 1}}
)");
  for (const auto& [key, json] : saved) other.cor.engine().load(key, json);
  EXPECT_EQ(other.cor.engine().group_count(), 0u);
}

TEST(determinism, the_same_detections_give_the_same_incident_ids) {
  pipeline a(brute), b(brute);
  for (int i = 0; i < 4; ++i) {
    a.send(i * second, "failed");
    b.send(i * second, "failed");
  }
  ASSERT_NE(a.last("c-brute"), nullptr);
  EXPECT_EQ(a.last("c-brute")->id, b.last("c-brute")->id);
}

}  // namespace
}  // namespace talaia::correlator
