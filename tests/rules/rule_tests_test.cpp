// `talaia rules test`'s engine: test cases beside the rules, run through the real scanner.
#include "rules/rule_tests.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rules/loader.hpp"

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

class rules_test_cases : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("talaia-rule-tests-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("ssh.yml", R"(title: ssh failure
id: 11111111-1111-1111-1111-111111111111
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|contains: 'Failed password'
    condition: selection
)");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  test_report run() {
    load_result loaded = load_paths({dir_.string()});
    for (const diagnostic& d : loaded.errors) ADD_FAILURE() << to_string(d);
    std::vector<diagnostic> errors;
    auto set = rule_set::build(std::move(loaded.rules), errors);
    EXPECT_TRUE(set.ok());
    rules_ = set ? (*set)->rules().size() : 0;
    tests_loaded t = load_tests({dir_.string()});
    for (const diagnostic& d : t.errors) ADD_FAILURE() << to_string(d);
    // A stand-in for the syslog parser: the whole line is the message.
    auto parse = [](const std::string& line) {
      core::event ev;
      ev.set_string("message", line);
      return ev;
    };
    return run_tests(set.value(), t.tests, parse);
  }

  fs::path dir_;
  std::size_t rules_ = 0;
};

TEST_F(rules_test_cases, passing_cases_and_tests_files_are_not_rules) {
  write("ssh.tests.yml", R"(match:
    - line: 'sshd[1]: Failed password for root from 10.0.0.1'
    - fields: {message: 'Failed password for bob'}
no_match:
    - line: 'sshd[1]: Accepted password for root'
)");
  test_report r = run();
  EXPECT_EQ(rules_, 1u);  // ssh.tests.yml was not loaded as a rule file
  EXPECT_EQ(r.cases, 3u);
  EXPECT_EQ(r.passed, 3u);
  EXPECT_EQ(r.rules_with_tests, 1u);
  EXPECT_TRUE(r.failures.empty());
}

TEST_F(rules_test_cases, each_failure_is_reported_at_its_case) {
  write("ssh.tests.yml", R"(rule: ssh failure
match:
    - line: 'sshd[1]: Failed password for root'
    - line: 'sshd[1]: Failed publickey for root'
no_match:
    - fields: {message: 'Failed password again'}
---
rule: 22222222-0000-0000-0000-000000000000
match:
    - line: x
)");
  test_report r = run();
  EXPECT_EQ(r.cases, 3u);
  EXPECT_EQ(r.passed, 1u);
  ASSERT_EQ(r.failures.size(), 3u);
  EXPECT_EQ(r.failures[0].line, 4);
  EXPECT_NE(r.failures[0].message.find("rule 'ssh failure' did not match an event it must match: sshd[1]: Failed publickey"),
            std::string::npos) << r.failures[0].message;
  EXPECT_EQ(r.failures[1].line, 6);
  EXPECT_NE(r.failures[1].message.find("matched an event it must not match: message=Failed password again"),
            std::string::npos) << r.failures[1].message;
  EXPECT_EQ(r.failures[2].line, 8);
  EXPECT_NE(r.failures[2].message.find("no loaded rule has id, name or title '22222222"), std::string::npos);
}

TEST_F(rules_test_cases, malformed_tests_are_errors) {
  write("ssh.tests.yml", "match:\n    - nothing: here\n");
  tests_loaded t = load_tests({dir_.string()});
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_EQ(t.errors[0].line, 2);
}

}  // namespace
}  // namespace talaia::rules
