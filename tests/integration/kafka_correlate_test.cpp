// The Kafka correlate stage, exactly once, against a real broker (ctest's kafka fixture): the
// same detections give the same incidents (ids, counts, times) when the process runs
// uninterrupted, when it is killed with SIGKILL mid-stream and restarted, when two processes
// share the partitions, and when one of the two is killed and the other takes its partitions
// over. Every scenario has its own topics and consumer group.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "core/incident.hpp"
#include "core/kafka_bus.hpp"
#include "core/kafka_client.hpp"
#include "core/kafka_transactions.hpp"
#include "correlator/detect.hpp"
#include "tests/integration/pipeline_fixture.hpp"
#include "tests/support/metrics_probe.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view burst_correlation = "6a2c4e8f-1b3d-4f5a-9c7e-8d0f2a4c6e12";
constexpr std::string_view burst_rule = "6a2c4e8f-1b3d-4f5a-9c7e-8d0f2a4c6e13";
constexpr int hosts = 120;
constexpr int chunks = 6;

// Burst markers (3 within 10 minutes fire the correlation) and SSH failures (a plain rule) from
// `hosts` hosts, in time order, as (key, detection JSON).
std::vector<std::pair<std::string, std::string>> detections() {
  std::vector<core::detection> all;
  const std::int64_t base = 1'790'000'000'000'000;  // 2026-09
  for (int h = 0; h < hosts; ++h)
    for (int i = 0; i < 10; ++i) {
      core::detection d;
      d.group = {{"hostname", "h" + std::to_string(h)}};
      d.time = base + (h * 7 + i * 70) * 1'000'000LL;
      d.event_json = R"({"id":"b)" + std::to_string(h) + "-" + std::to_string(i) + R"(","hostname":"h)" +
                     std::to_string(h) + R"(","message":"burst-marker"})";
      d.rule = {std::string(burst_rule), "Burst Marker", "low", "Talaia tests", {}};
      d.correlation = std::string(burst_correlation);
      all.push_back(d);
      if (i % 2 == 0) {
        core::detection s = d;
        s.correlation.clear();
        s.rule = {std::string(ssh_rule), "Test SSH Failed Password", "medium", "Talaia tests", {"attack.t1110"}};
        s.event_json = R"({"id":"s)" + std::to_string(h) + "-" + std::to_string(i) + R"(","hostname":"h)" +
                       std::to_string(h) + R"(","app_name":"sshd"})";
        all.push_back(s);
      }
    }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& d : all) out.emplace_back(correlator::detection_key(d), core::encode_detection(d));
  return out;
}

// The incidents that differ from the baseline, for a readable failure.
std::string differences(const std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want) {
  std::string out;
  int shown = 0;
  for (const auto& [id, s] : want)
    if (auto it = got.find(id); (it == got.end() || it->second != s) && shown++ < 5)
      out += "want " + id + " " + s + ", got " + (it == got.end() ? std::string("nothing") : it->second) + "\n";
  for (const auto& [id, s] : got)
    if (!want.count(id) && shown++ < 10) out += "extra " + id + " " + s + "\n";
  return out;
}

struct kafka_correlate : ::testing::Test {
  fs::path dir = make_temp_dir("kcorr");
  std::string brokers = kafka_test_broker();
  std::string suffix = std::to_string(std::random_device{}());
  std::vector<std::pair<std::string, std::string>> input = detections();
  std::size_t fed = 0;
  core::kafka_config kafka;

  // One scenario: its own topics and group.
  std::string name;
  void SetUp() override {
    ASSERT_FALSE(brokers.empty()) << "no broker: run through ctest (the kafka fixture starts it)";
    kafka.brokers = brokers;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string topic(const std::string& what) const { return what + "." + suffix + "." + name; }
  std::string group() const { return "g" + suffix + name + "-correlate"; }

  void begin(const std::string& scenario) {
    name = scenario;
    fed = 0;
    ASSERT_TRUE(core::ensure_topics(kafka_with_partitions(4), {topic("det")}).ok());
  }
  static core::kafka_config kafka_with_partitions(int n) {
    core::kafka_config k;
    k.brokers = kafka_test_broker();
    k.partitions = n;
    return k;
  }

  std::unique_ptr<child_process> correlate(const std::string& node, std::vector<std::string> extra = {}) {
    const fs::path config = dir / (name + "-" + node + ".yaml");
    write_file(config, "node_id: " + node + "\n"
                       "kafka:\n"
                       "  brokers: " + brokers + "\n"
                       "  group_prefix: g" + suffix + name + "\n"
                       "  partitions: 4\n"
                       "  librdkafka: {session.timeout.ms: '6000', heartbeat.interval.ms: '500'}\n"
                       "  topics:\n"
                       "    detections: " + topic("det") + "\n"
                       "    incidents: " + topic("inc") + "\n"
                       "    changelog: " + topic("chg") + "\n");
    std::vector<std::string> argv{talaia_binary(), "correlate", "--config", config.string(), "--rules", test_rules_dir(),
                                  "--data-dir", (dir / (name + "-" + node)).string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<child_process>(argv, dir, name + "-" + node);
  }

  // Sends the next `n` chunks of the input.
  void feed(int n) {
    auto producer = core::make_kafka_producer(kafka, "test-feeder");
    ASSERT_TRUE(producer.ok()) << producer.err().message;
    const std::size_t until = std::min(input.size(), fed + n * ((input.size() + chunks - 1) / chunks));
    for (; fed < until; ++fed) ASSERT_TRUE((*producer)->send(topic("det"), input[fed].first, input[fed].second).ok());
    ASSERT_TRUE((*producer)->flush(30s).ok());
  }

  // Whether the correlate group has committed everything in the detections topic.
  bool consumed_all() {
    auto n = core::topic_partition_count(kafka, topic("det"));
    if (!n) return false;
    auto conf = core::kafka::make_conf(kafka, {{"group.id", group()}});
    auto rk = core::kafka::make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
    core::kafka::partition_list_ptr list(rd_kafka_topic_partition_list_new(*n));
    for (int p = 0; p < *n; ++p) rd_kafka_topic_partition_list_add(list.get(), topic("det").c_str(), p);
    if (rd_kafka_committed(rk->get(), list.get(), 5000)) return false;
    for (int p = 0; p < *n; ++p) {
      std::int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(rk->get(), topic("det").c_str(), p, &low, &high, 5000)) return false;
      const std::int64_t done = list->elems[p].offset < 0 ? 0 : list->elems[p].offset;
      if (done < high) return false;
    }
    return true;
  }

  // The incidents topic read to its committed end, reduced as the serve stage stores it: per
  // id, the version with the most events. id -> "rule count first last".
  std::map<std::string, std::string> incidents() {
    std::map<std::string, std::string> out;
    std::map<std::string, std::uint64_t> counts;
    auto n = core::topic_partition_count(kafka, topic("inc"));
    if (!n) return out;
    auto conf = core::kafka::make_conf(kafka, {{"group.id", "reader"}, {"enable.partition.eof", "true"},
                                               {"isolation.level", "read_committed"}});
    auto rk = core::kafka::make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
    core::kafka::partition_list_ptr list(rd_kafka_topic_partition_list_new(*n));
    for (int p = 0; p < *n; ++p)
      rd_kafka_topic_partition_list_add(list.get(), topic("inc").c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk->get(), list.get());
    int ended = 0;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (ended < *n && std::chrono::steady_clock::now() < deadline) {
      core::kafka::message_ptr m(rd_kafka_consumer_poll(rk->get(), 500));
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        ++ended;
        continue;
      }
      if (m->err) continue;
      auto inc = core::decode_incident(std::string_view(static_cast<const char*>(m->payload), m->len));
      if (!inc) continue;
      if (counts.count(inc->id) && counts[inc->id] >= inc->event_count) continue;
      counts[inc->id] = inc->event_count;
      out[inc->id] = inc->rule.id + " " + std::to_string(inc->event_count) + " " + std::to_string(inc->first_seen) +
                     " " + std::to_string(inc->last_seen);
    }
    rd_kafka_consumer_close(rk->get());
    return out;
  }

  // Waits until both processes own partitions (one alone could read everything first).
  static bool both_assigned(child_process& a, child_process& b) {
    return eventually([&] {
      return a.err().find("partition assigned") != std::string::npos && b.err().find("partition assigned") != std::string::npos;
    }, 60s);
  }

  // Waits until everything fed is committed; the processes' logs on failure.
  void wait_consumed(const std::vector<child_process*>& ps, std::chrono::seconds timeout = 90s) {
    std::string logs;
    auto dead = [&] { return std::any_of(ps.begin(), ps.end(), [](child_process* p) { return !p->running(); }); };
    eventually([&] { return dead() || consumed_all(); }, timeout);
    ASSERT_TRUE(consumed_all()) << [&] {
      for (auto* p : ps) logs += p->err() + "\n----\n";
      return logs;
    }();
  }
  static void stop(child_process& p) {
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait(30s), 0) << p.err();
  }
  static void kill(child_process& p) {
    p.signal(SIGKILL);
    EXPECT_EQ(p.wait(30s), 128 + SIGKILL);
  }

  // The incidents topic comes to hold `want`. Not at once after a kill: a transaction the killed
  // process left open holds read_committed readers at its start until the broker aborts it
  // (transaction.timeout.ms, then the broker's cleanup interval).
  void expect_incidents(const std::map<std::string, std::string>& want) {
    std::map<std::string, std::string> got;
    eventually([&] { return (got = incidents()) == want; }, 90s);
    EXPECT_TRUE(got == want) << differences(got, want);
  }

  // The uninterrupted run every other scenario is compared with.
  std::map<std::string, std::string> baseline() {
    begin("base");
    auto p = correlate("a");
    feed(chunks);
    wait_consumed({p.get()});
    stop(*p);
    return incidents();
  }
};

std::size_t count_rule(const std::map<std::string, std::string>& incidents, std::string_view rule) {
  std::size_t n = 0;
  for (const auto& [id, summary] : incidents) n += summary.starts_with(rule);
  return n;
}


TEST_F(kafka_correlate, uninterrupted_run_opens_one_incident_per_host_and_rule_and_counts_on_metrics) {
  begin("base");
  const auto port = free_port();
  auto p = correlate("a", {"--metrics", "127.0.0.1:" + std::to_string(port)});
  feed(chunks);
  // An hour older than everything else: behind the watermark, counted as late and not merged.
  core::detection late;
  late.rule = {std::string(burst_rule), "Burst Marker", "low", "Talaia tests", {}};
  late.correlation = std::string(burst_correlation);
  late.group = {{"hostname", "h0"}};
  late.time = 1'790'000'000'000'000 - 3'600'000'000LL;
  late.event_json = R"({"id":"late","hostname":"h0"})";
  {
    auto producer = core::make_kafka_producer(kafka, "test-feeder");
    ASSERT_TRUE((*producer)->send(topic("det"), correlator::detection_key(late), core::encode_detection(late)).ok());
    ASSERT_TRUE((*producer)->flush(30s).ok());
  }
  wait_consumed({p.get()});
  EXPECT_EQ(metric_sample(port, "talaia_correlate_detections_total"), static_cast<long long>(input.size()) + 1);
  EXPECT_EQ(metric_sample(port, "talaia_correlation_detections_total{outcome=\"late\"}"), 1);
  EXPECT_EQ(metric_sample(port, "talaia_correlation_firings_total"), hosts);  // once per host, then suppressed
  EXPECT_EQ(metric_sample(port, "talaia_correlation_groups_evicted_total"), 0);
  auto api = alerts::http_get("http://127.0.0.1:" + std::to_string(port) + "/api/v1/incidents", 5s);
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->status, 404);  // incidents live in talaia serve
  stop(*p);
  auto expected = incidents();
  EXPECT_EQ(count_rule(expected, ssh_rule), static_cast<std::size_t>(hosts));
  EXPECT_EQ(count_rule(expected, burst_correlation), static_cast<std::size_t>(hosts));
  EXPECT_EQ(expected.size(), 2u * hosts);
}

TEST_F(kafka_correlate, killed_mid_stream_and_restarted_gives_the_same_incidents) {
  const auto expected = baseline();
  begin("kill");
  auto p = correlate("a");
  feed(2);
  wait_consumed({p.get()});
  feed(1);
  kill(*p);  // most likely inside a transaction: the chunk just fed is being read
  p = correlate("a");
  feed(chunks);
  wait_consumed({p.get()});
  stop(*p);
  EXPECT_NE(p->err().find("local state is current"), std::string::npos) << p->err();
  expect_incidents(expected);
}

TEST_F(kafka_correlate, two_processes_split_the_partitions_and_give_the_incidents_of_one) {
  const auto expected = baseline();
  begin("two");
  auto a = correlate("a");
  auto b = correlate("b");
  // Both own partitions before any detection arrives (one alone could read everything first).
  ASSERT_TRUE(both_assigned(*a, *b)) << a->err() << b->err();
  feed(chunks);
  wait_consumed({a.get(), b.get()});
  stop(*a);
  stop(*b);
  EXPECT_NE(a->err().find("partition assigned"), std::string::npos) << a->err();
  EXPECT_NE(b->err().find("partition assigned"), std::string::npos) << b->err();
  expect_incidents(expected);
}

TEST_F(kafka_correlate, one_of_two_killed_halfway_the_other_takes_over_its_partitions) {
  const auto expected = baseline();
  begin("takeover");
  auto a = correlate("a");
  auto b = correlate("b");
  ASSERT_TRUE(both_assigned(*a, *b)) << a->err() << b->err();
  feed(3);
  wait_consumed({a.get(), b.get()});
  feed(1);
  kill(*b);
  feed(chunks);
  wait_consumed({a.get()}, 120s);  // after b's session times out and its transaction is aborted
  stop(*a);
  EXPECT_NE(a->err().find("state rebuilt from"), std::string::npos) << a->err();
  expect_incidents(expected);
}

}  // namespace
}  // namespace talaia::testing
