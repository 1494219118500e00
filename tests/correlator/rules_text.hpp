#pragma once
// Detection and correlation rules from one YAML text (documents separated by ---), built as
// the daemon builds them, for the correlator's tests.
#include <memory>
#include <string>
#include <vector>

#include "correlator/correlation_set.hpp"
#include "rules/loader.hpp"

namespace talaia::correlator::testing {

struct loaded_rules {
  std::shared_ptr<const rules::rule_set> rules;
  std::shared_ptr<const correlation_set> correlations;
  std::vector<rules::diagnostic> errors;  // of the detection rules, then of the correlations
};

inline loaded_rules load_rules_text(const std::string& text) {
  loaded_rules f;
  auto loaded = rules::load_text(text, "test.yml");
  f.errors = loaded.errors;
  auto set = rules::rule_set::build(std::move(loaded.rules), f.errors);
  if (!set) return f;
  f.rules = *set;
  auto c = load_correlations_text(text, "test.yml");
  f.errors.insert(f.errors.end(), c.errors.begin(), c.errors.end());
  f.correlations = correlation_set::build(std::move(c.correlations), c.names, f.rules->rules(), f.errors);
  return f;
}

}  // namespace talaia::correlator::testing
