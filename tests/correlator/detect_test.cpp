#include "correlator/detect.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/memory_bus.hpp"
#include "tests/correlator/rules_text.hpp"
#include "rules/loader.hpp"

namespace talaia::correlator {
namespace {

std::shared_ptr<const rules::rule_set> rule_set_of(const std::string& yaml) {
  auto loaded = rules::load_text(yaml, "test.yml");
  EXPECT_TRUE(loaded.errors.empty());
  std::vector<rules::diagnostic> errors;
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  EXPECT_TRUE(set.ok());
  return *set;
}

const char* ssh_rule = R"(
title: ssh fail
id: r-ssh
author: me
tags: [attack.t1110]
level: low
logsource: {product: linux}
detection:
  sel:
    app_name: sshd
    message|contains: failed password
  condition: sel
)";

TEST(detect, event_time_prefers_the_event_over_the_receive_time) {
  core::event ev;
  ev.set_time("received", 5);
  EXPECT_EQ(event_time(ev), 5);
  ev.set_time("end", 7);
  EXPECT_EQ(event_time(ev), 7);
  ev.set_time("timestamp", 9);
  EXPECT_EQ(event_time(ev), 9);
  ev.set_string("timestamp", "not a time");
  EXPECT_EQ(event_time(ev), 7);
}

TEST(detect, event_time_is_clamped_to_the_receive_time_within_the_allowed_skew) {
  constexpr std::int64_t hour = 3'600'000'000;
  core::event ev;
  ev.set_time("received", 100 * hour);
  ev.set_time("timestamp", 90 * hour);  // a device ten hours behind
  bool clamped = false;
  EXPECT_EQ(clamped_event_time(ev, 2 * hour, clamped), 98 * hour);
  EXPECT_TRUE(clamped);
  ev.set_time("timestamp", 99 * hour);
  EXPECT_EQ(clamped_event_time(ev, 2 * hour, clamped), 99 * hour);
  EXPECT_FALSE(clamped);
  ev.set_time("timestamp", 200 * hour);
  EXPECT_EQ(clamped_event_time(ev, 0, clamped), 200 * hour);  // 0: no clamping
  EXPECT_FALSE(clamped);
}

TEST(detect, match_becomes_a_detection_with_its_group_and_event) {
  detect_settings s;
  s.group_by["r-ssh"] = {"hostname", "src_ip"};
  auto d = detector::make(rule_set_of(ssh_rule), s);
  ASSERT_TRUE(d.ok());
  core::event ev;
  ev.set_string("hostname", "web1");
  ev.set_string("app_name", "SSHD");
  ev.set_string("message", "Failed password for root");
  ev.set_time("timestamp", 1234);
  std::vector<core::detection> out;
  d->detect(ev, core::encode_event(ev), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule.id, "r-ssh");
  EXPECT_EQ(out[0].rule.author, "me");
  EXPECT_EQ(out[0].time, 1234);
  EXPECT_EQ(out[0].group, (core::group_values{{"hostname", "web1"}, {"src_ip", ""}}));
  EXPECT_EQ(out[0].event_json, core::encode_event(ev));
  ev.set_string("app_name", "cron");
  out.clear();
  d->detect(ev, core::encode_event(ev), out);
  EXPECT_TRUE(out.empty());
}

// Detections given back with recycle() are filled again: whatever they held before (another
// rule, a group, a correlation, a value), each is what a fresh detector makes of the event.
TEST(detect, recycled_detections_are_those_of_a_fresh_detector) {
  const std::string text = std::string(ssh_rule) + R"(
---
title: cron
id: r-cron
name: cron
level: low
detection:
  sel:
    app_name: cron
  condition: sel
---
title: many users
id: c-users
correlation:
  type: value_count
  rules: [cron]
  group-by: [hostname, procid]
  timespan: 1m
  condition: {field: user, gte: 2}
)";
  const auto rules = testing::load_rules_text(text);
  for (const auto& e : rules.errors) ADD_FAILURE() << rules::to_string(e);
  detect_settings s;
  s.group_by["r-ssh"] = {"hostname", "src_ip"};
  auto reused = detector::make(rules.rules, s, rules.correlations);
  ASSERT_TRUE(reused.ok());
  std::vector<core::detection> out;
  const auto encoded = [](const std::vector<core::detection>& ds) {
    std::vector<std::string> all;
    for (const auto& d : ds) all.push_back(core::encode_detection(d));
    return all;
  };
  for (int i = 0; i < 12; ++i) {
    core::event ev;
    ev.set_string("hostname", "web" + std::to_string(i % 3));
    if (i % 4 != 1) ev.set_string("procid", std::to_string(100 + i));
    ev.set_string("app_name", i % 3 == 0 ? "cron" : i % 3 == 1 ? "sshd" : "other");
    ev.set_string("message", "Failed password for root");
    if (i % 2 == 0) ev.set_string("user", "u" + std::to_string(i));
    if (i % 5 == 0) ev.set_string("src_ip", "192.0.2." + std::to_string(i));
    ev.set_time("timestamp", 1000 + i);
    const std::string json = core::encode_event(ev);
    reused->recycle(out);
    EXPECT_TRUE(out.empty());
    reused->detect(ev, json, out);
    auto fresh = detector::make(rules.rules, s, rules.correlations);
    ASSERT_TRUE(fresh.ok());
    std::vector<core::detection> want;
    fresh->detect(ev, json, want);
    EXPECT_EQ(encoded(out), encoded(want)) << i;
    EXPECT_EQ(out.empty(), i % 3 == 2) << i;
    if (i % 3 == 0) {
      ASSERT_FALSE(out.empty());
      EXPECT_EQ(out.back().correlation, "c-users") << i;
    }
  }
}

TEST(detect, stage_sends_detections_keyed_by_group_and_bad_input_to_the_dead_letter_topic) {
  core::memory_bus bus(100);
  auto p = bus.make_producer();
  detect_settings s;
  s.group_by = {{"r-ssh", {"hostname"}}};
  s.detections_topic = "det";
  s.dead_letter_topic = "dead";
  auto d = detector::make(rule_set_of(ssh_rule), s);
  ASSERT_TRUE(d.ok());
  core::metrics_registry m;
  detect_metrics dm{&m.make_counter("e", "", ""), &m.make_counter("d", "", ""), &m.make_counter("x", "", "")};
  detect_stage stage(std::move(*d), *p, s, dm);
  ASSERT_TRUE(stage.handle({"ev", "k", R"({"app_name":"sshd","hostname":"h1","message":"Failed password"})"}).ok());
  ASSERT_TRUE(stage.handle({"ev", "k", "{broken"}).ok());
  ASSERT_TRUE(stage.handle({"ev", "k", "[1]"}).ok());
  auto det = bus.make_consumer("det")->poll(std::chrono::milliseconds(10));
  ASSERT_TRUE(det);
  EXPECT_EQ(det->key, detection_key(*core::decode_detection(det->value)));
  EXPECT_NE(det->key.find("h1"), std::string::npos);
  auto dead = bus.make_consumer("dead");
  auto first = core::decode_event(dead->poll(std::chrono::milliseconds(10))->value);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->text("value"), "{broken");
  EXPECT_FALSE(first->text("reason").empty());
  EXPECT_TRUE(dead->poll(std::chrono::milliseconds(10)).has_value());
  EXPECT_EQ(dm.dead_letters->value(), 2u);
  EXPECT_EQ(dm.events->value(), 1u);
  EXPECT_EQ(dm.detections->value(), 1u);
}

}  // namespace
}  // namespace talaia::correlator
