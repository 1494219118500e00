// The offline subcommands as a user runs them: rules check, replay, decode.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
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

TEST(rules_check, the_shipped_config_routes_every_shipped_rule) {
  auto r = run_command({talaia_binary(), "rules", "check", "--config", source_dir() + "/deploy/talaia.yaml",
                        source_dir() + "/deploy/rules"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");  // no warning: no rule left unrouted
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

TEST(rules_check, warnings_are_printed_but_exit_0) {
  const std::string file = source_dir() + "/tests/data/rules/warn/fallback_and_placeholder.yml";
  auto r = run_command({talaia_binary(), "rules", "check", file});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(file + ":7: warning: field 'message' value '(\\w+) \\1': Hyperscan cannot compile"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PCRE2 fallback"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(file + ":9: warning: field 'user': placeholder %admins% has no value"), std::string::npos)
      << r.out;
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
}

TEST(rules_test, passing_cases_exit_0_and_each_failure_is_reported_at_its_line) {
  const std::string cases = source_dir() + "/tests/data/rules/cases";
  auto pass = run_command({talaia_binary(), "rules", "test", cases + "/pass"});
  EXPECT_EQ(pass.code, 0) << pass.out << pass.err;
  EXPECT_EQ(pass.out, "");
  EXPECT_NE(pass.err.find("5 cases, 5 passed, 0 failed; 1 of 1 rules have tests"), std::string::npos) << pass.err;
  auto fail = run_command({talaia_binary(), "rules", "test", cases + "/fail"});
  EXPECT_EQ(fail.code, 1) << fail.out << fail.err;
  ASSERT_EQ(lines_of(fail.out).size(), 1u) << fail.out;
  EXPECT_EQ(fail.out.rfind(cases + "/fail/ssh_root_login.tests.yml:3: rule 'SSH login as root' did not match", 0), 0u)
      << fail.out;
}

TEST(rules_test, the_shipped_pack_passes_its_test_cases) {
  // With the shipped config: its sigma.logsources routes and mappings make the rules meet the events.
  auto r = run_command({talaia_binary(), "rules", "test", "--config", source_dir() + "/deploy/talaia.yaml",
                        source_dir() + "/deploy/rules"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(rules_match, prints_line_and_rule_id_per_match_of_json_events) {
  const fs::path dir = fs::temp_directory_path() / ("talaia-rules-match-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_file(dir / "events.ndjson",
             R"({"id":"a","app_name":"sshd","message":"Accepted publickey for root from 203.0.113.5 port 1 ssh2"})"
             "\n"
             R"({"id":"b","app_name":"sshd","message":"Accepted publickey for alice from 203.0.113.5 port 1 ssh2"})"
             "\n");
  auto r = run_command({talaia_binary(), "rules", "match", "--events", (dir / "events.ndjson").string(),
                        source_dir() + "/tests/data/rules/cases/pass"});
  fs::remove_all(dir);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "1\t4a1f0c7e-51d2-4c36-9d0e-3d7c2f6b9a01\n");
}

TEST(rules_list, one_line_per_rule_with_its_fields) {
  auto r = run_command({talaia_binary(), "rules", "list", source_dir() + "/tests/data/rules/cases/pass"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "id\ttitle\tlevel\tlogsource\tfields\n"
            "4a1f0c7e-51d2-4c36-9d0e-3d7c2f6b9a01\tSSH login as root\thigh\tlinux/*/sshd\tapp_name,message\n");
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

TEST(decode, files_larger_than_the_read_buffer_lose_no_line) {
  // Several megabytes, lines ending exactly where a megabyte does, one line longer than the
  // first buffer, an empty line, a CRLF line and a last line without its newline.
  const fs::path dir = fs::temp_directory_path() / ("talaia-decode-big-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string file = (dir / "big.log").string();
  std::size_t expected = 0;
  {
    std::ofstream out(file, std::ios::binary);
    for (int i = 0; i < 3000; ++i, ++expected) out << std::string(1023, 'a') << '\n';
    out << std::string(1500000, 'b') << '\n' << '\n' << "crlf\r\n";
    expected += 3;
    for (int i = 0; i < 20000; ++i, ++expected) out << "<14>Mar  1 10:00:00 app java[911]: INFO request " << i << '\n';
    out << "no newline";
    ++expected;
  }
  auto r = run_command({talaia_binary(), "decode", file});
  fs::remove_all(dir);
  ASSERT_EQ(r.code, 0);
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), expected);
  EXPECT_EQ(json::parse(lines[3002]).as_object().at("raw"), "crlf");
  EXPECT_EQ(json::parse(lines.back()).as_object().at("raw"), "no newline");
  EXPECT_EQ(json::parse(lines.back()).as_object().at("id").as_string(), "replay:big.log:" + std::to_string(expected));
}

}  // namespace
}  // namespace talaia::testing

namespace talaia::testing {
namespace {

namespace json = boost::json;

std::vector<json::object> replay_with_shipped_rules(const std::string& file) {
  // The shipped pack with the shipped config, whose sigma.logsources routes confine each rule to
  // the events of its log source.
  auto r = run_command({talaia_binary(), "replay", "--config", source_dir() + "/deploy/talaia.yaml", "--rules",
                        source_dir() + "/deploy/rules", file});
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<json::object> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line).as_object());
  return out;
}

std::vector<const json::object*> of_rule(const std::vector<json::object>& incidents, std::string_view title) {
  std::vector<const json::object*> out;
  for (const auto& i : incidents)
    if (i.at("rule_title").as_string() == title) out.push_back(&i);
  return out;
}

TEST(replay_correlation, brute_force_then_success_gives_one_incident_for_the_attacked_host) {
  auto incidents = replay_with_shipped_rules(source_dir() + "/tests/data/replay/bruteforce.log");
  auto outer = of_rule(incidents, "SSH Brute Force Followed by a Successful Login");
  ASSERT_EQ(outer.size(), 1u) << incidents.size();
  EXPECT_EQ(json::serialize(outer[0]->at("group")), R"({"hostname":"bastion","src_ip":"198.51.100.23"})");
  EXPECT_EQ(outer[0]->at("level"), "high");
  EXPECT_EQ(outer[0]->at("first_seen"), "2026-05-04T03:02:30Z");
  EXPECT_EQ(outer[0]->at("event_count").as_int64(), 2);  // the attempts' firing and the login
  // The attempts correlation keeps its own incident (generate: true): all 12 failures counted.
  auto attempts = of_rule(incidents, "SSH Brute Force Attempts");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(json::serialize(attempts[0]->at("group")), R"({"hostname":"bastion","src_ip":"198.51.100.23"})");
  EXPECT_EQ(attempts[0]->at("event_count").as_int64(), 12);
  EXPECT_EQ(attempts[0]->at("events").as_array().size(), 10u);  // evidence capped
  // Three failures on web9 are no brute force; single failures and logins open nothing alone.
  EXPECT_EQ(incidents.size(), 2u);
}

TEST(replay_correlation, password_spraying_gives_one_incident_for_the_source_trying_many_users) {
  auto incidents = replay_with_shipped_rules(source_dir() + "/tests/data/replay/spraying.log");
  auto spraying = of_rule(incidents, "SSH Password Spraying");
  // 203.0.113.77 tries ten users on three hosts in ten minutes; 198.51.100.4 only three users;
  // 192.0.2.200 ten users but six minutes apart, never eight within ten minutes.
  ASSERT_EQ(spraying.size(), 1u) << incidents.size();
  EXPECT_EQ(json::serialize(spraying[0]->at("group")), R"({"src_ip":"203.0.113.77"})");
  EXPECT_EQ(spraying[0]->at("first_seen"), "2026-05-04T05:07:10Z");  // the eighth user
  EXPECT_EQ(spraying[0]->at("event_count").as_int64(), 10);         // and the two after it
  EXPECT_EQ(incidents.size(), 1u);  // no brute force: at most four failures per host and source
}

TEST(replay_correlation, port_scans_in_flow_events_give_one_incident_per_scanning_source) {
  auto dir = make_temp_dir("scan");
  std::string flows;
  auto flow = [&](const std::string& src, const std::string& dst, int port, int second) {
    char end[32];
    std::snprintf(end, sizeof end, "2026-05-04T04:%02d:%02dZ", second / 60, second % 60);
    flows += R"({"kind":"flow","src_ip":")" + src + R"(","dst_ip":")" + dst + R"(","src_port":50000,"dst_port":)" +
             std::to_string(port) + R"(,"proto":6,"bytes":60,"packets":1,"end":")" + end + "\"}\n";
  };
  for (int p = 1; p <= 150; ++p) flow("10.0.0.66", "10.0.0.5", p, p / 3);         // vertical scan
  for (int p = 1; p <= 20; ++p) flow("10.0.0.77", "10.0.0.5", 8000 + p, p);        // a busy client
  for (int h = 1; h <= 60; ++h) flow("10.0.0.88", "10.0.1." + std::to_string(h), 445, h);  // horizontal
  for (int h = 1; h <= 60; ++h) flow("10.0.0.66", "10.0.2." + std::to_string(h), 22, 100 + h);  // and the first scans sideways
  write_file(dir / "flows.jsonl", flows);
  auto incidents = replay_with_shipped_rules((dir / "flows.jsonl").string());
  auto vertical = of_rule(incidents, "Vertical Port Scan");
  ASSERT_EQ(vertical.size(), 1u);
  EXPECT_EQ(json::serialize(vertical[0]->at("group")), R"({"src_ip":"10.0.0.66","dst_ip":"10.0.0.5"})");
  auto horizontal = of_rule(incidents, "Horizontal Port Scan");
  ASSERT_EQ(horizontal.size(), 2u);
  std::set<std::string> sources;
  for (const auto* i : horizontal) sources.insert(std::string(i->at("group").at("src_ip").as_string()));
  EXPECT_EQ(sources, (std::set<std::string>{"10.0.0.66", "10.0.0.88"}));
  EXPECT_TRUE(of_rule(incidents, "Network Flow").empty());  // the base rule opens nothing alone
  EXPECT_EQ(incidents.size(), 3u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace talaia::testing
