// `talaia run`: the embedded pipeline as a user starts it, fed by real `logger` messages.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/pipeline_fixture.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct embedded : ::testing::Test {
  fs::path dir = make_temp_dir("embedded");
  std::uint16_t syslog_port = free_port();
  std::uint16_t api_port = free_port();
  webhook_receiver hooks;
  std::string rules_dir = test_rules_dir();

  std::unique_ptr<child_process> start(const std::string& name = "talaia") {
    write_file(dir / "talaia.yaml",
               "node_id: test-node\n"
               "correlate:\n"
               "  group_by:\n"
               "    " + std::string(ssh_rule) + ": [hostname]\n");
    auto p = std::make_unique<child_process>(
        std::vector<std::string>{talaia_binary(), "run", "--config", (dir / "talaia.yaml").string(), "--data-dir",
                                 (dir / "data").string(), "--rules", rules_dir, "--syslog",
                                 "127.0.0.1:" + std::to_string(syslog_port), "--api",
                                 "127.0.0.1:" + std::to_string(api_port), "--webhook", hooks.url()},
        dir, name);
    // The API answers only once every listener is bound.
    EXPECT_TRUE(eventually([&] {
      return alerts::http_get("http://127.0.0.1:" + std::to_string(api_port) + "/healthz", std::chrono::seconds(1)).ok();
    })) << p->err();
    return p;
  }

  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(embedded, logger_udp_and_tcp_messages_become_incidents_in_api_and_webhook) {
  auto talaia = start();
  ASSERT_EQ(send_with_logger(syslog_port, false, "sshd", "Failed password for root from 192.0.2.7 port 4242 ssh2").code, 0);
  ASSERT_EQ(send_with_logger(syslog_port, true, "sshd", "Failed password for admin from 192.0.2.7 port 4243 ssh2").code, 0);
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "something intrusion-MARKER happened").code, 0);
  // Filtered out by `not filter`, and a line matching nothing: neither opens an incident.
  ASSERT_EQ(send_with_logger(syslog_port, false, "sshd", "Failed password for invalid user nobody-test from 192.0.2.9").code, 0);
  ASSERT_EQ(send_with_logger(syslog_port, false, "cron", "session opened for user root").code, 0);

  json::array incidents;
  ASSERT_TRUE(eventually([&] {
    incidents = get_incidents(api_port);
    auto* ssh = find_incident(incidents, ssh_rule);
    return ssh && ssh->at("event_count").as_int64() == 2 && find_incident(incidents, marker_rule);
  })) << json::serialize(incidents) << talaia->err();
  EXPECT_EQ(incidents.size(), 2u) << json::serialize(incidents);

  const auto& ssh = *find_incident(incidents, ssh_rule);
  EXPECT_EQ(ssh.at("rule_title").as_string(), "Test SSH Failed Password");
  EXPECT_EQ(ssh.at("level").as_string(), "medium");
  EXPECT_EQ(ssh.at("status").as_string(), "new");
  EXPECT_EQ(ssh.at("author").as_string(), "Talaia tests");
  EXPECT_EQ(ssh.at("tags").as_array().at(0).as_string(), "attack.t1110");
  ASSERT_TRUE(ssh.at("group").as_object().contains("hostname"));
  const auto& events = ssh.at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  const auto& first = events.at(0).as_object();
  EXPECT_EQ(first.at("kind").as_string(), "syslog");
  EXPECT_EQ(first.at("app_name").as_string(), "sshd");
  EXPECT_EQ(first.at("peer").as_string(), "127.0.0.1");
  EXPECT_TRUE(first.at("raw").as_string().starts_with("<13>"));
  EXPECT_NE(events.at(0).at("id").as_string(), events.at(1).at("id").as_string());
  EXPECT_TRUE(std::string_view(first.at("id").as_string()).starts_with("test-node-"));

  // One POST per new incident, with the incident as JSON.
  ASSERT_TRUE(eventually([&] { return hooks.bodies().size() >= 2; })) << talaia->err();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto bodies = hooks.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  std::set<std::string> posted;
  for (const auto& b : bodies) posted.insert(std::string(json::parse(b).at("rule_id").as_string()));
  EXPECT_EQ(posted, (std::set<std::string>{std::string(ssh_rule), std::string(marker_rule)}));

  talaia->signal(SIGTERM);
  EXPECT_EQ(talaia->wait(std::chrono::seconds(15)), 0) << talaia->err();
  EXPECT_NE(talaia->err().find("stopped"), std::string::npos);
}

TEST_F(embedded, unparsable_line_is_kept_raw_with_parse_error_and_still_detected) {
  auto talaia = start();
  const std::string junk = "no priority here intrusion-marker \xff\xfe end";
  ASSERT_EQ(run_command({"bash", "-c", "printf '%s' \"$0\" > /dev/udp/127.0.0.1/" + std::to_string(syslog_port), junk}).code, 0);
  json::array incidents;
  ASSERT_TRUE(eventually([&] {
    incidents = get_incidents(api_port);
    return find_incident(incidents, marker_rule) != nullptr;
  })) << talaia->err();
  const auto& ev = find_incident(incidents, marker_rule)->at("events").at(0).as_object();
  EXPECT_TRUE(ev.contains("parse_error"));
  // Bytes that are not UTF-8 are escaped, not dropped.
  EXPECT_EQ(ev.at("raw").as_string(), "no priority here intrusion-marker \u00ff\u00fe end");
}

TEST_F(embedded, incidents_survive_a_restart_and_a_later_match_updates_the_same_incident) {
  auto talaia = start();
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "first intrusion-marker").code, 0);
  ASSERT_TRUE(eventually([&] { return find_incident(get_incidents(api_port), marker_rule) != nullptr; }));
  const std::string id(find_incident(get_incidents(api_port), marker_rule)->at("id").as_string());
  talaia->signal(SIGINT);
  ASSERT_EQ(talaia->wait(std::chrono::seconds(15)), 0);

  auto again = start("talaia2");
  auto incidents = get_incidents(api_port);
  ASSERT_NE(find_incident(incidents, marker_rule), nullptr);
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "second intrusion-marker").code, 0);
  ASSERT_TRUE(eventually([&] {
    auto now = get_incidents(api_port);
    auto* inc = find_incident(now, marker_rule);
    return inc && inc->at("event_count").as_int64() == 2;
  })) << again->err();
  incidents = get_incidents(api_port);
  EXPECT_EQ(incidents.size(), 1u);
  EXPECT_EQ(find_incident(incidents, marker_rule)->at("id").as_string(), id);
  EXPECT_EQ(hooks.bodies().size(), 1u);  // an update is not a new incident
}

TEST_F(embedded, correlation_windows_survive_a_clean_restart) {
  auto talaia = start();
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "burst-marker one").code, 0);
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "burst-marker two").code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  talaia->signal(SIGTERM);
  ASSERT_EQ(talaia->wait(std::chrono::seconds(15)), 0);
  EXPECT_NE(talaia->err().find("windows=1 correlation windows saved"), std::string::npos) << talaia->err();
  EXPECT_EQ(find_incident(get_incidents(api_port), "6a2c4e8f-1b3d-4f5a-9c7e-8d0f2a4c6e12"), nullptr);

  auto again = start("talaia2");
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "burst-marker three").code, 0);
  json::array incidents;
  ASSERT_TRUE(eventually([&] {
    incidents = get_incidents(api_port);
    return find_incident(incidents, "6a2c4e8f-1b3d-4f5a-9c7e-8d0f2a4c6e12") != nullptr;
  })) << again->err();
  const auto& burst = *find_incident(incidents, "6a2c4e8f-1b3d-4f5a-9c7e-8d0f2a4c6e12");
  EXPECT_EQ(burst.at("event_count").as_int64(), 3);  // two before the restart, one after
  EXPECT_EQ(burst.at("events").as_array().size(), 3u);
  // The base rule is referenced by the correlation only: no incidents of its own.
  EXPECT_EQ(find_incident(incidents, "6a2c4e8f-1b3d-4f5a-9c7e-8d0f2a4c6e13"), nullptr);
}

TEST_F(embedded, rules_reload_on_sighup_and_a_broken_set_is_rejected_whole) {
  // Rules in a folder of the test's own, to edit while talaia runs.
  const fs::path rules = dir / "rules";
  fs::create_directories(rules);
  for (const auto& f : fs::directory_iterator(test_rules_dir())) fs::copy(f.path(), rules / f.path().filename());
  rules_dir = rules.string();
  auto talaia = start();
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "new-threat-marker before").code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(get_incidents(api_port).size(), 0u);

  write_file(rules / "new_threat.yml",
             "title: New Threat\nid: 7b3d5f9a-2c4e-4a6b-8d0f-1e3a5c7e9b14\nauthor: Talaia tests\n"
             "logsource: {product: linux}\ndetection:\n  k: ['new-threat-marker']\n  condition: k\nlevel: high\n");
  talaia->signal(SIGHUP);
  // (The two-second check for changed files may reload first; SIGHUP then reloads again.)
  ASSERT_TRUE(eventually([&] { return talaia->err().find("rules=4 correlations=1 rules reloaded") != std::string::npos; }))
      << talaia->err();
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "new-threat-marker after").code, 0);
  ASSERT_TRUE(eventually([&] { return find_incident(get_incidents(api_port), "7b3d5f9a-2c4e-4a6b-8d0f-1e3a5c7e9b14") != nullptr; }))
      << talaia->err();

  // A broken file: the whole new set is rejected, the running one keeps matching. The change on
  // disk is noticed without a signal.
  write_file(rules / "broken.yml", "title: Broken\ndetection:\n  k: ['x']\n  condition: k AND k\n");
  ASSERT_TRUE(eventually([&] { return talaia->err().find("rules reload rejected") != std::string::npos; })) << talaia->err();
  EXPECT_NE(talaia->err().find("broken.yml:4"), std::string::npos) << talaia->err();
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "intrusion-marker still detected").code, 0);
  ASSERT_TRUE(eventually([&] { return find_incident(get_incidents(api_port), marker_rule) != nullptr; })) << talaia->err();
  auto metrics = alerts::http_get("http://127.0.0.1:" + std::to_string(api_port) + "/metrics", std::chrono::seconds(5));
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->body.find("talaia_rule_reloads_total{result=\"applied\"} 0"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("talaia_rule_reloads_total{result=\"rejected\"} 1\n"), std::string::npos) << metrics->body;
  // The API says which rules run and why the last reload was refused.
  auto status = alerts::http_get("http://127.0.0.1:" + std::to_string(api_port) + "/api/v1/rules", std::chrono::seconds(5));
  ASSERT_TRUE(status.ok());
  auto s = json::parse(status->body).as_object();
  EXPECT_EQ(s.at("rules").as_int64(), 4);
  EXPECT_EQ(s.at("last_reload").at("applied").as_bool(), false);
  EXPECT_NE(json::serialize(s.at("last_reload").at("problems")).find("broken.yml:4"), std::string::npos) << status->body;
}

TEST_F(embedded, webhook_receiver_down_then_up_gets_the_incident_later) {
  hooks.set_status(503);
  auto talaia = start();
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "intrusion-marker while the receiver fails").code, 0);
  ASSERT_TRUE(eventually([&] { return hooks.attempts() >= 1; })) << talaia->err();
  EXPECT_TRUE(hooks.bodies().empty());
  hooks.set_status(200);
  ASSERT_TRUE(eventually([&] { return hooks.bodies().size() == 1; }, std::chrono::seconds(30))) << talaia->err();
}

TEST(embedded_startup, unknown_config_key_stops_with_file_and_line) {
  auto dir = make_temp_dir("badcfg");
  write_file(dir / "talaia.yaml", "node_id: x\nsyslog:\n  listen: [127.0.0.1:0]\n  lisen_typo: 1\n");
  auto r = run_command({talaia_binary(), "run", "--config", (dir / "talaia.yaml").string(), "--rules", test_rules_dir()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find((dir / "talaia.yaml").string() + ":4: unknown key 'lisen_typo'"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(embedded_startup, missing_rules_folder_stops_with_its_name) {
  auto dir = make_temp_dir("norules");
  auto r = run_command({talaia_binary(), "run", "--data-dir", (dir / "d").string(), "--rules", "/nonexistent/rules",
                        "--syslog", "127.0.0.1:0", "--api", "127.0.0.1:0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/nonexistent/rules"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(embedded_startup, port_in_use_stops_with_the_address) {
  auto dir = make_temp_dir("busy");
  webhook_receiver busy;  // holds a TCP port
  const std::string port = std::to_string(busy.port());
  auto r = run_command({talaia_binary(), "run", "--data-dir", (dir / "d").string(), "--rules", test_rules_dir(),
                        "--syslog", "127.0.0.1:0", "--api", "127.0.0.1:" + port});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("127.0.0.1:" + port), std::string::npos) << r.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace talaia::testing
