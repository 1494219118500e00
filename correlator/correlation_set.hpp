#pragma once
// Correlation rules resolved against the loaded detection rules: for each rule (or correlation)
// the correlations it feeds, with the group-by and value fields as named in its own events
// (aliases applied). Immutable once built; shared between threads.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "correlator/correlation_rule.hpp"
#include "rules/rule.hpp"

namespace talaia::correlator {

struct feed {
  std::size_t correlation = 0;            // index into correlations()
  std::uint32_t position = 0;             // which of the correlation's rules (temporal_ordered order)
  std::vector<std::string> group_fields;  // the correlation's group-by, as fields of the feeding events
  std::string value_field;                // value_count / value_sum, as a field of the feeding events
};

class correlation_set {
 public:
  // Resolves every reference (by id, then name) among the detection rules and the correlations;
  // an unknown reference or a cycle is an error naming the correlation's file and line, and that
  // correlation is left out.
  static std::shared_ptr<const correlation_set> build(std::vector<correlation_rule> correlations,
                                                      const std::vector<rule_name>& names,
                                                      const std::vector<rules::rule>& detection_rules,
                                                      std::vector<rules::diagnostic>& errors);

  const std::vector<correlation_rule>& correlations() const { return correlations_; }
  // The correlations fed by the rule or correlation known by `key` (its id, else title), or null.
  const std::vector<feed>* feeds_of(std::string_view key) const;
  // Whether matches of `key` open incidents of their own: yes unless every correlation that
  // references it leaves `generate` false (the specification's default).
  bool generates(std::string_view key) const;
  const correlation_rule* find(std::string_view key) const;
  std::size_t index_of(std::string_view key) const;  // SIZE_MAX when unknown

 private:
  std::vector<correlation_rule> correlations_;
  std::map<std::string, std::vector<feed>, std::less<>> feeds_;
  std::map<std::string, bool, std::less<>> generates_;
  std::map<std::string, std::size_t, std::less<>> by_key_;
};

}  // namespace talaia::correlator
