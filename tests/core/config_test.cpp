#include "core/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace talaia::core {
namespace {

TEST(config, empty_file_gives_the_built_in_defaults) {
  auto c = parse_config("", "x.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->syslog_listen.at(0).text(), "127.0.0.1:5514");
  EXPECT_EQ(c->api_listen.text(), "127.0.0.1:8080");
  EXPECT_EQ(c->quiet_period, std::chrono::hours(1));
  EXPECT_EQ(c->max_evidence, 10u);
  EXPECT_EQ(c->kafka.events_topic, "talaia.events");
}

TEST(config, reads_every_section) {
  auto c = parse_config(R"(
node_id: edge-7
data_dir: /var/lib/talaia
rules: [a, b]
syslog: {listen: ["0.0.0.0:514", "[::1]:1514"], max_message: 8192}
netflow: {listen: 0.0.0.0:2055}
api: {listen: 127.0.0.1:9000}
webhooks: [{url: "http://soc.example:8000/hook"}]
correlate: {quiet_period: 15m, max_evidence: 3, group_by: {r1: [hostname, app_name]}}
kafka: {brokers: "k1:9092,k2:9092", partitions: 12, topics: {events: ev}, librdkafka: {linger.ms: "20"}}
)", "x.yaml");
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->node_id, "edge-7");
  EXPECT_EQ(c->rules, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c->syslog_listen.at(1).host, "::1");
  EXPECT_EQ(c->syslog_listen.at(1).port, 1514);
  EXPECT_EQ(c->syslog_max_message, 8192u);
  EXPECT_EQ(c->netflow_listen.at(0).port, 2055);
  EXPECT_EQ(c->webhooks.at(0).url, "http://soc.example:8000/hook");
  EXPECT_EQ(c->quiet_period, std::chrono::minutes(15));
  EXPECT_EQ(c->group_by.at("r1"), (std::vector<std::string>{"hostname", "app_name"}));
  EXPECT_EQ(c->kafka.partitions, 12);
  EXPECT_EQ(c->kafka.events_topic, "ev");
  EXPECT_EQ(c->kafka.detections_topic, "talaia.detections");
  EXPECT_EQ(c->kafka.librdkafka.at("linger.ms"), "20");
}

TEST(config, every_problem_is_reported_at_once_with_file_and_line) {
  auto c = parse_config("node_id: a\nsylog: {}\napi:\n  listen: nowhere\ncorrelate:\n  quiet_period: soon\n", "site.yaml");
  ASSERT_FALSE(c.ok());
  const auto& m = c.err().message;
  EXPECT_NE(m.find("site.yaml:2: unknown key 'sylog'"), std::string::npos) << m;
  EXPECT_NE(m.find("site.yaml:4: api.listen: 'nowhere' is not HOST:PORT"), std::string::npos) << m;
  EXPECT_NE(m.find("site.yaml:6: correlate.quiet_period"), std::string::npos) << m;
}

TEST(config, broken_yaml_names_its_line) {
  auto c = parse_config("a: 1\nb: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.err().message.rfind("bad.yaml:", 0), 0u) << c.err().message;
}

TEST(config, durations_and_endpoints) {
  EXPECT_EQ(*parse_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*parse_duration("2d"), std::chrono::hours(48));
  EXPECT_FALSE(parse_duration("5 minutes").ok());
  EXPECT_FALSE(parse_duration("-1s").ok());
  EXPECT_FALSE(parse_endpoint("host").ok());
  EXPECT_FALSE(parse_endpoint("host:70000").ok());
  EXPECT_EQ(parse_endpoint("[fe80::1]:514")->host, "fe80::1");
}

// The shipped example loads, and names every key of the syslog and netflow sections (set or
// in a comment), each with a comment saying what it does.
TEST(config, deploy_example_loads_and_documents_every_collector_key) {
  const std::string path = TALAIA_SOURCE_DIR "/deploy/talaia.yaml";
  auto c = load_config(path);
  ASSERT_TRUE(c.ok()) << c.err().message;
  EXPECT_EQ(c->netflow_options.workers, 1u);
  EXPECT_EQ(c->syslog_options.workers, 1u);
  EXPECT_EQ(c->syslog_options.year, 0);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string yaml = text.str();
  for (const char* section : {"syslog", "syslog.tls", "syslog.sources", "netflow"})
    for (const auto& key : config_keys(section)) {
      const std::regex documented("\\n[ #]*(- )?" + key + ":[^\\n]*#");
      EXPECT_TRUE(std::regex_search(yaml, documented)) << section << "." << key << " is not documented in " << path;
    }
}

}  // namespace
}  // namespace talaia::core
