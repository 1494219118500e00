#pragma once
// Sigma correlation rules (specification 2.x): the rule as written, read from the same files as
// the detection rules. Every problem is a diagnostic with file and line, like rules/loader.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.hpp"

namespace talaia::correlator {

// event_count, value_count, temporal, temporal_ordered from the specification; value_sum is
// Talaia's extension (the sum of a numeric field, e.g. bytes between two hosts).
enum class correlation_type { event_count, value_count, value_sum, temporal, temporal_ordered };
std::string_view to_string(correlation_type t);

// gt/gte/lt/lte/eq/neq, several at once making a range (all must hold).
struct count_condition {
  std::optional<std::int64_t> gt, gte, lt, lte, eq, neq;
  bool holds(std::int64_t n) const;
  // True for conditions that a growing count can stop satisfying (lt, lte, eq, neq): they are
  // decided when the window closes, not when the first event arrives.
  bool decided_at_window_close() const;
  bool empty() const { return !gt && !gte && !lt && !lte && !eq && !neq; }
};

struct correlation_rule {
  std::string id, name, title, level, author, path;
  int line = 0;
  std::vector<std::string> tags, references;
  correlation_type type = correlation_type::event_count;
  std::vector<std::string> rules;     // references: ids or names of rules or correlations
  std::vector<std::string> group_by;  // field names, or alias names
  std::int64_t timespan_micros = 0;
  count_condition condition;
  std::string field;  // value_count / value_sum: the field whose values are counted or summed
  // alias -> (referenced rule as written -> field of that rule's events)
  std::map<std::string, std::map<std::string, std::string>> aliases;
  bool generate = false;
  // The key this rule is known by in incidents: id, else name, else title.
  const std::string& key() const { return !id.empty() ? id : !name.empty() ? name : title; }
};

// Identity of a detection rule document, for resolving references by name.
struct rule_name {
  std::string id, name, title, path;
};

struct correlation_load_result {
  std::vector<correlation_rule> correlations;
  std::vector<rule_name> names;  // every detection rule document that has a name or an id
  std::vector<rules::diagnostic> errors;
};

// "30s", "10m", "1h", "2d": the Sigma timespan; nullopt when malformed.
std::optional<std::int64_t> parse_timespan(std::string_view text);

// Reads the `correlation:` documents of the files (folders searched recursively for *.yml,
// *.yaml in sorted order) and the names of the detection rules beside them.
correlation_load_result load_correlations(const std::vector<std::string>& paths);
correlation_load_result load_correlations_text(std::string_view yaml, const std::string& path);

}  // namespace talaia::correlator
