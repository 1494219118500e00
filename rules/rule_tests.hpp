#pragma once
// Test cases kept beside the rules: `<name>.tests.yml` next to `<name>.yml` (the loader skips
// `*.tests.yml` / `*.tests.yaml`). Each YAML document of a tests file is
//
//   rule: <id, name or title>     # optional when the sibling rule file holds exactly one rule
//   match:                        # events the rule must match
//     - line: '<38>1 2026-03-01T10:00:00Z web1 sshd 41 - - Failed password for root ...'
//     - fields: {app_name: sshd, message: 'Failed password for root'}
//   no_match:                     # events it must not match
//     - line: '...'
//
// A `line` is parsed by the caller's syslog parser (the same code as the collectors); `fields`
// become string fields as given. `talaia rules test` runs them. Pure apart from reading files.
#include <functional>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "rules/rule.hpp"
#include "rules/rule_set.hpp"

namespace talaia::rules {

struct test_event {
  std::string line;                                         // a log line, or
  std::vector<std::pair<std::string, std::string>> fields;  // fields as given
  int source_line = 0;
};

struct rule_test {
  std::string path;           // the tests file
  int line = 0;               // its document
  std::string rule;           // id, name or title; empty: the sibling rule file's only rule
  std::string sibling;        // the rule file beside the tests file
  std::vector<test_event> must_match, must_not_match;
};

struct tests_loaded {
  std::vector<rule_test> tests;
  std::vector<diagnostic> errors;
};

bool is_tests_file(const std::string& path);

// Every *.tests.yml / *.tests.yaml under the paths (files or folders), in sorted order.
tests_loaded load_tests(const std::vector<std::string>& paths);

struct test_report {
  std::size_t cases = 0, passed = 0;
  std::size_t rules_with_tests = 0;
  std::vector<diagnostic> failures;  // `path:line: ...` at the failing case
};

using line_parser = std::function<core::event(const std::string& line)>;

// Runs every case against the compiled rules (one scanner, on this thread).
test_report run_tests(const std::shared_ptr<const rule_set>& set, const std::vector<rule_test>& tests,
                      const line_parser& parse_line);

}  // namespace talaia::rules
