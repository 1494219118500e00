#pragma once
// An incident as stored, listed by the API and posted to webhooks; and a detection, the message
// the detect stage sends the correlate stage. Both travel as JSON.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace talaia::core {

using group_values = std::vector<std::pair<std::string, std::string>>;  // group-by field -> value

struct rule_info {
  std::string id, title, level, author;
  std::vector<std::string> tags;
  std::vector<std::string> references{};  // URLs; `{}` keeps shorter aggregate inits warning-free
};

struct detection {
  rule_info rule;          // the rule that matched
  group_values group;      // the group it counts in
  std::int64_t time = 0;   // event time, microseconds
  std::string event_json;  // the matching event
  // Empty: the match opens or updates an incident of `rule` itself. Otherwise the key of the
  // correlation rule it feeds, which of that correlation's rules matched, and the value of the
  // correlation's field (value_count, value_sum).
  std::string correlation;
  std::uint32_t position = 0;
  std::string value;
};

struct incident {
  std::string id;
  rule_info rule;
  std::string status = "new";
  std::int64_t first_seen = 0, last_seen = 0;  // event time, microseconds
  std::uint64_t event_count = 0;
  group_values group;
  std::vector<std::string> events;  // JSON objects of the first matching events
};

// Deterministic id: a hash of rule id, group and the event time at which the incident opened.
std::string incident_id(const std::string& rule_id, const group_values& group, std::int64_t opened_at);

// Canonical text of a group ("" for none), used in ids, message keys and state keys; appended to
// `out`; and its length.
std::string group_key(const group_values& group);
void append_group_key(std::string& out, const group_values& group);
std::size_t group_key_size(const group_values& group);

std::string encode_incident(const incident& inc);
result<incident> decode_incident(std::string_view json);

std::string encode_detection(const detection& d);
result<detection> decode_detection(std::string_view json);

}  // namespace talaia::core
