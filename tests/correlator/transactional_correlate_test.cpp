// The Kafka correlate stage's exactly-once logic against a fake transactional session (a
// partitioned log with committed offsets and a compacted changelog, transactions that apply
// on commit) and a real RocksDB store: a crash at any commit, a restart, and a takeover by
// another process all give the incidents of an uninterrupted run.
#include "correlator/transactional_correlate.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/json.hpp"
#include "correlator/detect.hpp"
#include "storage/incident_store.hpp"
#include "tests/correlator/rules_text.hpp"

namespace talaia::correlator {
namespace {

constexpr std::int64_t minute = 60'000'000;
constexpr int partitions = 3;

const char* rules_yaml = R"(
title: failed login
id: 22222222-0000-0000-0000-000000000001
name: fail
logsource: {product: linux}
detection:
  sel: {message|contains: failed}
  condition: sel
level: low
---
title: three failures
id: 22222222-0000-0000-0000-000000000002
correlation:
  type: event_count
  rules: [fail]
  group-by: [hostname]
  timespan: 10m
  condition: {gte: 3}
level: high
)";

std::shared_ptr<const correlation_set> correlations() { return testing::load_rules_text(rules_yaml).correlations; }

// The cluster: input partitions, committed offsets, the changelog and the incidents topic as
// they are after committed transactions.
struct cluster {
  std::vector<std::vector<core::message>> input = std::vector<std::vector<core::message>>(partitions);
  std::map<std::int32_t, std::int64_t> committed;
  std::map<std::int32_t, std::map<std::string, std::string>> changelog;
  std::vector<std::pair<std::string, std::string>> incidents;  // (id, JSON) in commit order
  int commits = 0;
};

class fake_session final : public core::transactional_session {
 public:
  // Owns `owned` partitions; stops the loop when they are read to the end, or fails the commit
  // numbered `crash_at` (counted over the cluster) as a killed process would.
  fake_session(cluster& c, std::set<std::int32_t> owned, std::atomic<bool>& stop, int crash_at = -1,
               std::set<int> abort_at = {})
      : c_(c), owned_(std::move(owned)), stop_(stop), crash_at_(crash_at), abort_at_(std::move(abort_at)) {}
  void set_hooks(core::partition_hooks h) override { hooks_ = std::move(h); }
  std::optional<core::message> poll(std::chrono::milliseconds) override {
    if (!started_) {
      started_ = true;
      for (auto p : owned_) {
        std::optional<std::int64_t> committed;
        if (auto it = c_.committed.find(p); it != c_.committed.end()) committed = it->second;
        if (!hooks_.assigned(p, committed)) return std::nullopt;
        position_[p] = committed.value_or(0);
      }
    }
    // Round robin over the partitions, a few messages at a time, as a consumer interleaves them.
    for (int tries = 0; tries < partitions; ++tries) {
      const std::int32_t p = static_cast<std::int32_t>(turn_++ % partitions);
      if (!owned_.count(p)) continue;
      auto& pos = position_[p];
      if (pos < static_cast<std::int64_t>(c_.input[p].size())) return c_.input[p][pos++];
    }
    stop_ = true;
    return std::nullopt;
  }
  core::result<void> begin() override {
    pending_.clear();
    return {};
  }
  core::result<void> send(const std::string& topic, std::int32_t partition, const std::string& key,
                          const std::optional<std::string>& value) override {
    pending_.push_back({topic, partition, key, value});
    return {};
  }
  core::result<bool> commit(const std::map<std::int32_t, std::int64_t>& next) override {
    const int n = c_.commits++;
    if (n == crash_at_) return core::make_error("killed");
    if (abort_at_.count(n)) {  // a rebalance fenced the offsets: nothing applied
      ++aborted;
      return false;
    }
    for (const auto& s : pending_) {
      if (s.topic == "incidents") c_.incidents.emplace_back(s.key, *s.value);
      else if (s.value) c_.changelog[s.partition][s.key] = *s.value;
      else c_.changelog[s.partition].erase(s.key);
    }
    for (const auto& [p, o] : next) c_.committed[p] = o;
    return true;
  }
  core::result<void> rewind(const std::map<std::int32_t, std::int64_t>& offsets) override {
    for (const auto& [p, o] : offsets) position_[p] = o;
    return {};
  }
  int aborted = 0;
  core::result<std::vector<std::pair<std::string, std::string>>> read_compacted(const std::string& topic,
                                                                                std::int32_t p) override {
    EXPECT_EQ(topic, "changelog");
    ++rebuilt;
    auto& m = c_.changelog[p];
    return std::vector<std::pair<std::string, std::string>>(m.begin(), m.end());
  }
  int rebuilt = 0;

 private:
  struct sent {
    std::string topic;
    std::int32_t partition;
    std::string key;
    std::optional<std::string> value;
  };
  cluster& c_;
  std::set<std::int32_t> owned_;
  std::atomic<bool>& stop_;
  int crash_at_;
  std::set<int> abort_at_;
  core::partition_hooks hooks_;
  bool started_ = false;
  std::uint64_t turn_ = 0;
  std::map<std::int32_t, std::int64_t> position_;
  std::vector<sent> pending_;
};

// 40 hosts, failures at uneven times: plain incidents and correlation firings per host.
void fill(cluster& c) {
  std::mt19937 rng(7);
  std::vector<core::detection> all;
  auto set = correlations();
  for (int host = 0; host < 40; ++host)
    for (int i = 0; i < 12; ++i) {
      core::detection d;
      d.rule = {"22222222-0000-0000-0000-000000000001", "failed login", "low", "t", {}};
      d.group = {{"hostname", "h" + std::to_string(host)}};
      d.time = (host * 3 + i * static_cast<int>(rng() % 5)) * minute;
      const std::string id = "e" + std::to_string(host) + "-" + std::to_string(i);
      d.event_json = R"({"id":")" + id + R"(","hostname":"h)" + std::to_string(host) + R"("})";
      all.push_back(d);  // the plain rule's own incident
      d.correlation = "22222222-0000-0000-0000-000000000002";
      all.push_back(d);
    }
  // Roughly in time order, as a live stream is (the watermark drops what is too late).
  std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.time < y.time; });
  for (const auto& d : all) {
    const std::string key = detection_key(d);
    const auto p = static_cast<std::int32_t>(std::hash<std::string>{}(key) % partitions);
    c.input[p].push_back({"detections", key, core::encode_detection(d), p, static_cast<std::int64_t>(c.input[p].size())});
  }
}

// What the serve stage keeps: per incident id, the version with the most events.
std::map<std::string, std::string> final_incidents(const cluster& c) {
  std::map<std::string, std::pair<std::uint64_t, std::string>> best;
  for (const auto& [id, json] : c.incidents) {
    auto inc = core::decode_incident(json);
    EXPECT_TRUE(inc.ok());
    auto& slot = best[id];
    if (inc->event_count >= slot.first) slot = {inc->event_count, json};
  }
  std::map<std::string, std::string> out;
  for (auto& [id, v] : best) out[id] = v.second;
  return out;
}

struct process {
  std::filesystem::path dir;
  std::unique_ptr<storage::incident_store> store;
  explicit process(const std::string& name)
      : dir(std::filesystem::temp_directory_path() / ("talaia-txn-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    reopen();
  }
  ~process() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  void reopen() {
    store.reset();
    store = std::move(*storage::incident_store::open(dir.string()));
  }
  // Runs the stage on `owned` until the input is read or the commit `crash_at` fails.
  core::result<void> run(cluster& c, std::set<std::int32_t> owned, int crash_at = -1, int* rebuilt = nullptr,
                         std::set<int> abort_at = {}, int* aborted = nullptr) {
    std::atomic<bool> stop{false};
    fake_session session(c, std::move(owned), stop, crash_at, std::move(abort_at));
    partitioned_correlate state(correlate_settings{}, correlations(), {});
    transactional_settings s;
    s.incidents_topic = "incidents";
    s.changelog_topic = "changelog";
    s.max_batch = 7;
    auto r = run_transactional_correlate(session, state, *store, s, stop);
    if (rebuilt) *rebuilt = session.rebuilt;
    if (aborted) *aborted = session.aborted;
    return r;
  }
};

std::map<std::string, std::string> uninterrupted() {
  cluster c;
  fill(c);
  process a("baseline");
  EXPECT_TRUE(a.run(c, {0, 1, 2}).ok());
  return final_incidents(c);
}

TEST(transactional_correlate, uninterrupted_run_opens_one_incident_per_rule_and_host) {
  auto incidents = uninterrupted();
  std::size_t plain = 0, correlated = 0;
  for (const auto& [id, json] : incidents) {
    auto inc = core::decode_incident(json);
    (inc->rule.id.ends_with("0001") ? plain : correlated)++;
  }
  EXPECT_EQ(plain, 40u);
  EXPECT_GE(correlated, 40u);  // every host fails at least three times within ten minutes
}

TEST(transactional_correlate, a_crash_at_any_commit_then_a_restart_gives_the_uninterrupted_incidents) {
  const auto expected = uninterrupted();
  for (int crash_at : {0, 1, 5, 20, 60}) {
    cluster c;
    fill(c);
    process a("crash");
    EXPECT_FALSE(a.run(c, {0, 1, 2}, crash_at).ok());
    a.reopen();  // the restarted process: its local store and offsets agree, no rebuild
    int rebuilt = -1;
    ASSERT_TRUE(a.run(c, {0, 1, 2}, -1, &rebuilt).ok());
    EXPECT_EQ(rebuilt, 0) << crash_at;
    EXPECT_EQ(final_incidents(c), expected) << "crash at commit " << crash_at;
  }
}

TEST(transactional_correlate, transactions_aborted_by_a_rebalance_are_read_again_and_counted_once) {
  const auto expected = uninterrupted();
  cluster c;
  fill(c);
  process a("aborts");
  int aborted = 0;
  ASSERT_TRUE(a.run(c, {0, 1, 2}, -1, nullptr, {0, 3, 4, 17, 50, 51, 90}, &aborted).ok());
  EXPECT_EQ(aborted, 7);
  EXPECT_EQ(final_incidents(c), expected);
}

TEST(transactional_correlate, local_store_behind_the_committed_offsets_is_rebuilt_from_the_changelog) {
  const auto expected = uninterrupted();
  cluster c;
  fill(c);
  process a("behind");
  EXPECT_FALSE(a.run(c, {0, 1, 2}, 30).ok());
  // Commits went through that the local store never saw (killed between the two writes).
  auto snapshot = *a.store->read_partition(0);
  ASSERT_TRUE(snapshot.offset.has_value());
  ASSERT_TRUE(a.store->replace_partition(0, *snapshot.offset - 1, {}).ok());
  int rebuilt = -1;
  ASSERT_TRUE(a.run(c, {0, 1, 2}, -1, &rebuilt).ok());
  EXPECT_EQ(rebuilt, 1);
  EXPECT_EQ(final_incidents(c), expected);
}

TEST(transactional_correlate, another_process_takes_over_partitions_from_the_changelog) {
  const auto expected = uninterrupted();
  cluster c;
  fill(c);
  process a("owner"), b("successor");
  // a owns everything and dies part-way; b, with an empty store, takes two partitions over,
  // a comes back for the third.
  EXPECT_FALSE(a.run(c, {0, 1, 2}, 40).ok());
  int rebuilt = -1;
  ASSERT_TRUE(b.run(c, {0, 1}, -1, &rebuilt).ok());
  EXPECT_EQ(rebuilt, 2);
  a.reopen();
  ASSERT_TRUE(a.run(c, {2}).ok());
  EXPECT_EQ(final_incidents(c), expected);
}

TEST(partitioned_correlate, changes_taken_after_each_detection_rebuild_the_same_state) {
  cluster c;
  fill(c);
  partitioned_correlate live(correlate_settings{}, correlations(), {});
  live.assign(0, {});
  std::map<std::string, std::string> saved;
  std::vector<std::pair<std::string, std::string>> out;
  const auto& input = c.input[0];
  for (std::size_t i = 0; i < input.size() / 2; ++i) {
    live.handle(input[i], out);
    for (auto& [k, v] : live.take_changes(0)) {
      if (v) saved[k] = *v;
      else saved.erase(k);
    }
  }
  partitioned_correlate restored(correlate_settings{}, correlations(), {});
  restored.assign(0, state_records(saved.begin(), saved.end()));
  std::vector<std::pair<std::string, std::string>> a, b;
  for (std::size_t i = input.size() / 2; i < input.size(); ++i) {
    live.handle(input[i], a);
    restored.handle(input[i], b);
  }
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace talaia::correlator
