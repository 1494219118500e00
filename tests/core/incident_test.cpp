#include "core/incident.hpp"

#include <gtest/gtest.h>

namespace talaia::core {
namespace {

incident sample() {
  incident inc;
  inc.rule = {"r-1", "Brute \"force\"", "high", "A. Author", {"attack.t1110"}, {"https://attack.mitre.org/techniques/T1110/"}};
  inc.group = {{"src_ip", "203.0.113.5"}};
  inc.first_seen = 1'772'445'601'000'000;
  inc.last_seen = 1'772'445'661'000'000;
  inc.event_count = 7;
  inc.id = incident_id(inc.rule.id, inc.group, inc.first_seen);
  inc.events = {R"({"id":"e1","message":"x"})"};
  return inc;
}

// A group's key: each name and value prefixed with its length, so that no split passes for
// another; appended after what `out` holds; group_key_size is its length.
TEST(incident, group_keys_are_length_prefixed_and_appended) {
  EXPECT_EQ(group_key({}), "");
  EXPECT_EQ(group_key({{"a", "b=c"}}), "1:a3:b=c");
  EXPECT_NE(group_key({{"a", "b"}, {"c", ""}}), group_key({{"a", "b1:c0:"}}));
  const group_values long_one{{"hostname", std::string(12, 'h')}, {"src_ip", "203.0.113.250"}, {"", ""}};
  EXPECT_EQ(group_key(long_one), "8:hostname12:hhhhhhhhhhhh6:src_ip13:203.0.113.2500:0:");
  std::string out = "corr\x1e";
  append_group_key(out, long_one);
  EXPECT_EQ(out, "corr\x1e" + group_key(long_one));
  for (const auto& g : {group_values{}, group_values{{"a", "b=c"}}, long_one})
    EXPECT_EQ(group_key_size(g), group_key(g).size());
}

TEST(incident, round_trips_as_json) {
  const incident inc = sample();
  const std::string text = encode_incident(inc);
  auto back = decode_incident(text);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(back->id, inc.id);
  EXPECT_EQ(back->rule.title, "Brute \"force\"");
  EXPECT_EQ(back->rule.tags, inc.rule.tags);
  EXPECT_EQ(back->rule.references, (std::vector<std::string>{"https://attack.mitre.org/techniques/T1110/"}));
  EXPECT_NE(text.find(R"("references":["https://attack.mitre.org/techniques/T1110/"])"), std::string::npos) << text;
  EXPECT_EQ(back->group, inc.group);
  EXPECT_EQ(back->first_seen, inc.first_seen);
  EXPECT_EQ(back->last_seen, inc.last_seen);
  EXPECT_EQ(back->event_count, 7u);
  EXPECT_EQ(back->status, "new");
  ASSERT_EQ(back->events.size(), 1u);
  EXPECT_EQ(encode_incident(*back), text);
}

TEST(incident, id_is_deterministic_and_depends_on_rule_group_and_opening_time) {
  const auto a = incident_id("r", {{"h", "x"}}, 1);
  EXPECT_EQ(a, incident_id("r", {{"h", "x"}}, 1));
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, incident_id("r2", {{"h", "x"}}, 1));
  EXPECT_NE(a, incident_id("r", {{"h", "y"}}, 1));
  EXPECT_NE(a, incident_id("r", {{"h", "x"}}, 2));
  EXPECT_NE(incident_id("r", {{"a", "b=c"}}, 1), incident_id("r", {{"a=b", "c"}}, 1));
}

TEST(incident, detection_round_trips_and_bad_ones_are_refused) {
  detection d;
  d.rule = {"r", "t", "low", "me", {}};
  d.group = {{"hostname", "web1"}};
  d.time = 1'772'445'601'000'000;
  d.event_json = R"({"id":"e"})";
  d.correlation = "c-1";
  d.position = 2;
  d.value = "alice";
  auto back = decode_detection(encode_detection(d));
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(back->rule.id, "r");
  EXPECT_EQ(back->group, d.group);
  EXPECT_EQ(back->time, d.time);
  EXPECT_EQ(back->event_json, d.event_json);
  EXPECT_EQ(back->correlation, "c-1");
  EXPECT_EQ(back->position, 2u);
  EXPECT_EQ(back->value, "alice");
  EXPECT_FALSE(decode_detection(R"({"rule_id":"r"})").ok());
  EXPECT_FALSE(decode_detection("[]").ok());
  // The event goes on into incidents as JSON text: a broken one refuses the whole detection.
  EXPECT_FALSE(decode_detection(R"({"rule_id":"r","time":"2026-01-01T00:00:00Z","event":{"a" 1}})").ok());
  EXPECT_FALSE(decode_detection(R"({"rule_id":"r","time":"2026-01-01T00:00:00Z","event":"text"})").ok());
  // Tags, references and a group value that is no string come back too.
  auto more = decode_detection(
      R"({"rule_id":"r","tags":["attack.t1110"],"references":["https://x"],"group":{"port":22},)"
      R"("time":"2026-01-01T00:00:00Z","event":{"id":"e","n":1}})");
  ASSERT_TRUE(more.ok()) << more.err().message;
  EXPECT_EQ(more->rule.tags, std::vector<std::string>{"attack.t1110"});
  EXPECT_EQ(more->rule.references, std::vector<std::string>{"https://x"});
  EXPECT_EQ(more->group, (group_values{{"port", "22"}}));
  EXPECT_EQ(more->event_json, R"({"id":"e","n":1})");
}

}  // namespace
}  // namespace talaia::core
