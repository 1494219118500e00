// The same pipeline as four processes over a real Apache Kafka broker (started by ctest's
// kafka fixture with deploy/kafka/kafka.sh): collect, detect, correlate, serve.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "core/kafka_bus.hpp"
#include "tests/integration/pipeline_fixture.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct kafka_pipeline : ::testing::Test {
  fs::path dir = make_temp_dir("kafka");
  std::string brokers = kafka_test_broker();
  std::string suffix = std::to_string(std::random_device{}());
  webhook_receiver hooks;

  void SetUp() override {
    ASSERT_FALSE(brokers.empty()) << "no broker: run through ctest (the kafka fixture starts it)";
    // Fresh topics and groups per test, so runs never see each other's messages.
    write_file(dir / "talaia.yaml",
               "node_id: kafka-test\n"
               "correlate:\n  group_by:\n    " + std::string(ssh_rule) + ": [hostname]\n"
               "kafka:\n"
               "  brokers: " + brokers + "\n"
               "  group_prefix: t" + suffix + "\n"
               "  partitions: 2\n"
               "  topics:\n"
               "    events: events." + suffix + "\n"
               "    detections: detections." + suffix + "\n"
               "    incidents: incidents." + suffix + "\n"
               "    dead_letter: dead." + suffix + "\n");
  }
  void TearDown() override { fs::remove_all(dir); }

  std::unique_ptr<child_process> stage(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv{talaia_binary(), name, "--config", (dir / "talaia.yaml").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<child_process>(argv, dir, name);
  }
};

TEST_F(kafka_pipeline, logger_messages_through_four_processes_become_incidents_in_api_and_webhook) {
  const auto syslog_port = free_port();
  const auto api_port = free_port();
  auto detect = stage("detect", {"--rules", test_rules_dir()});
  auto correlate = stage("correlate", {"--rules", test_rules_dir(), "--data-dir", (dir / "correlate").string()});
  auto serve = stage("serve", {"--data-dir", (dir / "serve").string(), "--api", "127.0.0.1:" + std::to_string(api_port),
                               "--webhook", hooks.url()});
  auto collect = stage("collect", {"--syslog", "127.0.0.1:" + std::to_string(syslog_port)});
  ASSERT_TRUE(eventually([&] { return collect->err().find("collector is running") != std::string::npos; }, std::chrono::seconds(30)))
      << collect->err();

  ASSERT_EQ(send_with_logger(syslog_port, false, "sshd", "Failed password for root from 192.0.2.7 port 1 ssh2").code, 0);
  ASSERT_EQ(send_with_logger(syslog_port, true, "sshd", "Failed password for bob from 192.0.2.7 port 2 ssh2").code, 0);
  ASSERT_EQ(send_with_logger(syslog_port, true, "app", "over kafka: intrusion-marker").code, 0);

  json::array incidents;
  ASSERT_TRUE(eventually([&] {
    incidents = get_incidents(api_port);
    auto* ssh = find_incident(incidents, ssh_rule);
    return ssh && ssh->at("event_count").as_int64() == 2 && find_incident(incidents, marker_rule);
  }, std::chrono::seconds(90))) << json::serialize(incidents) << "\ndetect:\n" << detect->err() << "\ncorrelate:\n"
                                << correlate->err() << "\nserve:\n" << serve->err();
  EXPECT_EQ(incidents.size(), 2u);
  const auto& ev = find_incident(incidents, marker_rule)->at("events").at(0).as_object();
  EXPECT_EQ(ev.at("message"), "over kafka: intrusion-marker");
  EXPECT_EQ(ev.at("kind"), "syslog");

  ASSERT_TRUE(eventually([&] { return hooks.bodies().size() >= 2; })) << serve->err();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(hooks.bodies().size(), 2u);

  for (auto* p : {collect.get(), detect.get(), correlate.get(), serve.get()}) {
    p->signal(SIGTERM);
    EXPECT_EQ(p->wait(std::chrono::seconds(30)), 0) << p->err();
  }
}

TEST_F(kafka_pipeline, detect_sends_what_is_not_a_json_object_to_the_dead_letter_topic_and_goes_on) {
  // A foreign producer (kcat here, Vector or Logstash in the field) writes to the events topic.
  const auto api_port = free_port();
  auto detect = stage("detect", {"--rules", test_rules_dir()});
  auto correlate = stage("correlate", {"--rules", test_rules_dir(), "--data-dir", (dir / "correlate").string()});
  auto serve = stage("serve", {"--data-dir", (dir / "serve").string(), "--api", "127.0.0.1:" + std::to_string(api_port)});
  ASSERT_TRUE(eventually([&] { return detect->err().find("stage is running") != std::string::npos; }, std::chrono::seconds(30)))
      << detect->err();
  auto r = run_command({"bash", "-c",
                        "printf '%s\\n' 'not json at all' '{\"kind\":\"syslog\",\"id\":\"ext-1\",\"message\":\"from vector: intrusion-marker\",\"timestamp\":\"2026-01-01T00:00:00Z\"}' | "
                        "kcat -P -b " + brokers + " -t events." + suffix},
                       std::chrono::seconds(30));
  ASSERT_EQ(r.code, 0) << r.err;
  json::array incidents;
  ASSERT_TRUE(eventually([&] {
    incidents = get_incidents(api_port);
    return find_incident(incidents, marker_rule) != nullptr;
  }, std::chrono::seconds(60))) << detect->err() << serve->err();
  EXPECT_EQ(find_incident(incidents, marker_rule)->at("first_seen"), "2026-01-01T00:00:00Z");
  // The dead letter and the incident travel separately: the incident may be served before the
  // dead letter is visible to a consumer, so read until it is there.
  run_result dead;
  ASSERT_TRUE(eventually([&] {
    dead = run_command({"kcat", "-C", "-b", brokers, "-t", "dead." + suffix, "-o", "beginning", "-c", "1", "-e"},
                       std::chrono::seconds(60));
    return dead.code == 0 && !dead.out.empty();
  }, std::chrono::seconds(60))) << dead.err;
  auto letter = json::parse(dead.out).as_object();
  EXPECT_EQ(letter.at("value"), "not json at all");
  EXPECT_NE(std::string(letter.at("reason").as_string()).find("JSON"), std::string::npos);
}

TEST(kafka_startup, unreachable_broker_stops_start_up_with_the_address) {
  const auto port = free_port();  // nothing listens there
  auto r = run_command({talaia_binary(), "detect", "--brokers", "127.0.0.1:" + std::to_string(port), "--rules",
                        test_rules_dir()},
                       std::chrono::seconds(60));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.err;
}

// A packet's records handed over in one call (try_send_all, as the NetFlow listener does) reach
// the broker, every one, in order, each with the exporter as its key.
TEST(kafka_producer, try_send_all_delivers_a_batch_in_order_with_its_key) {
  core::kafka_config k;
  k.brokers = kafka_test_broker();
  k.partitions = 2;
  ASSERT_FALSE(k.brokers.empty()) << "no broker: run through ctest (the kafka fixture starts it)";
  const std::string topic = "batch." + std::to_string(std::random_device{}());
  ASSERT_TRUE(core::ensure_topics(k, {topic}).ok());
  auto producer = core::make_kafka_producer(k, "test-batch");
  ASSERT_TRUE(producer.ok()) << producer.err().message;
  std::vector<std::string> sent;
  for (int packet = 0; packet < 20; ++packet) {
    core::text_batch records;
    for (int i = 0; i < 24; ++i) {
      sent.push_back(R"({"kind":"flow","n":)" + std::to_string(packet * 24 + i) + "}");
      records.push(sent.back());
    }
    EXPECT_EQ((*producer)->try_send_all(topic, "192.0.2.7", records), 24u);
  }
  ASSERT_TRUE((*producer)->flush(std::chrono::seconds(30)).ok());
  auto consumer = core::make_kafka_consumer(k, "g-" + topic, {topic});
  ASSERT_TRUE(consumer.ok()) << consumer.err().message;
  std::vector<std::string> got;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (got.size() < sent.size() && std::chrono::steady_clock::now() < until)
    if (auto m = (*consumer)->poll(std::chrono::milliseconds(500))) {
      EXPECT_EQ(m->key, "192.0.2.7");
      got.push_back(m->value.str());
    }
  EXPECT_EQ(got, sent);  // one key, one partition: the order holds
}

}  // namespace
}  // namespace talaia::testing
