// The offline subcommands as a user runs them: rules check, replay, decode.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <sstream>

#include "tests/integration/pipeline_fixture.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(rules_check, good_rules_pass_with_exit_0) {
  auto r = run_command({talaia_binary(), "rules", "check", source_dir() + "/tests/data/rules/good", test_rules_dir(),
                        source_dir() + "/deploy/rules"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(rules_check, every_bad_file_is_reported_with_path_line_and_reason) {
  const fs::path bad = source_dir() + "/tests/data/rules/bad";
  auto r = run_command({talaia_binary(), "rules", "check", bad.string()});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(bad)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yml") continue;
    ++files;
    // Each bad file says what it expects in its first line: `# expect: <part of the reason>`.
    const std::string text = read_file(entry.path());
    const std::string prefix = "# expect: ";
    ASSERT_EQ(text.rfind(prefix, 0), 0u) << entry.path();
    const std::string expected = text.substr(prefix.size(), text.find('\n') - prefix.size());
    bool found = false;
    for (const auto& line : lines_of(r.out)) {
      if (line.rfind(entry.path().string() + ":", 0) != 0) continue;
      // path:LINE: reason, with a line number
      const std::string rest = line.substr(entry.path().string().size() + 1);
      const auto colon = rest.find(':');
      EXPECT_GT(std::stoi(rest.substr(0, colon)), 0) << line;
      if (rest.find(expected) != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << entry.path() << " should report '" << expected << "'; output:\n" << r.out;
  }
  EXPECT_GE(files, 4u);
}

TEST(rules_check, missing_path_is_an_error) {
  auto r = run_command({talaia_binary(), "rules", "check", "/nonexistent/rules.yml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("/nonexistent/rules.yml"), std::string::npos) << r.out;
}

struct replay_output {
  int code;
  std::vector<json::object> incidents;
  std::string out;
};

replay_output run_replay() {
  auto r = run_command({talaia_binary(), "replay", "--config", source_dir() + "/tests/data/replay/talaia.yaml",
                        "--rules", test_rules_dir(), source_dir() + "/tests/data/replay/auth.log"});
  replay_output o{r.code, {}, r.out};
  for (const auto& line : lines_of(r.out)) o.incidents.push_back(json::parse(line).as_object());
  return o;
}

TEST(replay, log_file_gives_the_known_incidents_once_each_in_final_state) {
  auto o = run_replay();
  ASSERT_EQ(o.code, 0);
  // ssh web1 (3 failures within the quiet period), ssh web2 (1), and the marker twice: at
  // 12:30 and again at 14:00, after the one-hour quiet period. The headerless line is kept
  // raw and matched too, at its receive time.
  ASSERT_EQ(o.incidents.size(), 5u) << o.out;
  std::map<std::string, std::vector<const json::object*>> by_rule;
  for (const auto& i : o.incidents) by_rule[std::string(i.at("rule_id").as_string())].push_back(&i);
  ASSERT_EQ(by_rule[std::string(ssh_rule)].size(), 2u);
  const auto* web1 = by_rule[std::string(ssh_rule)][0];
  const auto* web2 = by_rule[std::string(ssh_rule)][1];
  if (web1->at("group").at("hostname") != "web1") std::swap(web1, web2);
  EXPECT_EQ(web1->at("group").at("hostname"), "web1");
  EXPECT_EQ(web1->at("event_count").as_int64(), 3);
  EXPECT_EQ(web1->at("first_seen"), "2026-03-02T10:00:01Z");
  EXPECT_EQ(web1->at("last_seen"), "2026-03-02T10:30:00Z");
  EXPECT_EQ(web2->at("event_count").as_int64(), 1);
  ASSERT_EQ(by_rule[std::string(marker_rule)].size(), 3u);
  std::set<std::string> opened;
  for (const auto* i : by_rule[std::string(marker_rule)]) opened.insert(std::string(i->at("first_seen").as_string()));
  EXPECT_TRUE(opened.count("2026-03-02T12:30:00Z"));
  EXPECT_TRUE(opened.count("2026-03-02T14:00:00Z"));
  std::size_t headerless = 0;
  for (const auto* i : by_rule[std::string(marker_rule)]) {
    for (const auto& ev : i->at("events").as_array()) {
      if (ev.at("raw").as_string().starts_with("this line")) {
        ++headerless;
        EXPECT_TRUE(ev.as_object().contains("parse_error")) << json::serialize(ev);
      }
    }
  }
  EXPECT_EQ(headerless, 1u);
}

TEST(replay, same_input_gives_the_same_ids_every_time) {
  auto a = run_replay();
  auto b = run_replay();
  ASSERT_EQ(a.code, 0);
  std::vector<std::string> ids_a, ids_b;
  for (const auto& i : a.incidents)
    if (!i.at("events").at(0).at("raw").as_string().starts_with("this line")) ids_a.emplace_back(i.at("id").as_string());
  for (const auto& i : b.incidents)
    if (!i.at("events").at(0).at("raw").as_string().starts_with("this line")) ids_b.emplace_back(i.at("id").as_string());
  EXPECT_EQ(ids_a.size(), 4u);
  EXPECT_EQ(ids_a, ids_b);
}

TEST(decode, one_json_line_per_input_line) {
  auto r = run_command({talaia_binary(), "decode", source_dir() + "/tests/data/replay/auth.log"});
  ASSERT_EQ(r.code, 0);
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), lines_of(read_file(source_dir() + "/tests/data/replay/auth.log")).size());
  auto first = json::parse(lines[0]).as_object();
  EXPECT_EQ(first.at("hostname"), "web1");
  EXPECT_EQ(first.at("app_name"), "sshd");
  EXPECT_EQ(first.at("procid"), "100");
  EXPECT_EQ(first.at("facility").as_int64(), 4);
  EXPECT_EQ(first.at("severity").as_int64(), 6);
  EXPECT_EQ(first.at("timestamp"), "2026-03-02T10:00:01Z");
  EXPECT_FALSE(first.contains("msgid"));  // `-` is absent, not empty
}

}  // namespace
}  // namespace talaia::testing
