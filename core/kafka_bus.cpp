#include "core/kafka_bus.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <vector>
#include <mutex>
#include <thread>

#include "core/kafka_client.hpp"
#include "core/log.hpp"

namespace talaia::core {

namespace {

using namespace kafka;

class kafka_producer final : public producer {
 public:
  void attach(rk_ptr rk) { rk_ = std::move(rk); }
  ~kafka_producer() override {
    if (rk_) rd_kafka_flush(rk_.get(), 10000);
    for (auto& [name, rkt] : topics_) rd_kafka_topic_destroy(rkt);
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<kafka_producer*>(opaque);
    self->failed_.fetch_add(1);
    std::lock_guard lock(self->mu_);
    self->last_error_ = rd_kafka_err2str(m->err);
  }

  result<void> send(std::string_view topic, std::string key, std::string value) override {
    for (;;) {
      auto err = produce(topic, key, value);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return kafka_error("producing to " + std::string(topic), err);
      rd_kafka_poll(rk_.get(), 50);  // local queue full: serve delivery reports, then retry
    }
  }

  bool try_send(std::string_view topic, std::string key, std::string value) override {
    return produce(topic, key, value) == RD_KAFKA_RESP_ERR_NO_ERROR;
  }

  // One call for a packet's records: rd_kafka_produce_batch enqueues them under one lock with
  // the topic's handle looked up once (producev looks the topic up by name for each message), and
  // delivery reports are served once. The partitioner still runs per message (one key: one
  // partition), and each message's delivery report counts as try_send's does.
  std::size_t try_send_all(std::string_view topic, std::string_view key, text_batch& values) override {
    if (values.empty()) return 0;
    rd_kafka_poll(rk_.get(), 0);
    rd_kafka_topic_t* rkt = topic_handle(topic);
    if (rkt == nullptr) return 0;
    thread_local std::vector<rd_kafka_message_t> batch;
    batch.assign(values.size(), rd_kafka_message_t{});
    for (std::size_t i = 0; i < values.size(); ++i) {
      batch[i].payload = const_cast<char*>(values[i].data());  // copied (RD_KAFKA_MSG_F_COPY)
      batch[i].len = values[i].size();
      batch[i].key = const_cast<char*>(key.data());
      batch[i].key_len = key.size();
    }
    const int n = rd_kafka_produce_batch(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, batch.data(), static_cast<int>(batch.size()));
    if (n == static_cast<int>(batch.size())) return batch.size();
    std::size_t accepted = 0;  // those refused (a full queue) are not in order: count what went
    for (const auto& m : batch) accepted += m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? 1 : 0;
    return accepted;
  }

  result<void> flush(std::chrono::milliseconds timeout) override {
    auto err = rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_error("flushing the Kafka producer", err);
    if (auto n = failed_.exchange(0); n > 0) {
      std::lock_guard lock(mu_);
      return make_error(std::to_string(n) + " messages failed delivery to Kafka: " + last_error_);
    }
    return {};
  }

 private:
  rd_kafka_resp_err_t produce(std::string_view topic, const std::string& key, const std::string& value) {
    rd_kafka_poll(rk_.get(), 0);
    std::string t(topic);
    return rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(t.c_str()),
                             RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                             RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  }

  // The topic's handle, made on first use and kept until the producer goes; null when librdkafka
  // refuses the name.
  rd_kafka_topic_t* topic_handle(std::string_view topic) {
    std::lock_guard lock(topics_mu_);
    auto it = topics_.find(topic);
    if (it != topics_.end()) return it->second;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_.get(), std::string(topic).c_str(), nullptr);
    if (rkt != nullptr) topics_.emplace(std::string(topic), rkt);
    return rkt;
  }

  rk_ptr rk_;
  std::atomic<std::uint64_t> failed_{0};
  std::mutex mu_;
  std::string last_error_;
  std::mutex topics_mu_;
  std::map<std::string, rd_kafka_topic_t*, std::less<>> topics_;
};

class kafka_consumer final : public consumer {
 public:
  explicit kafka_consumer(rk_ptr rk) : rk_(std::move(rk)) {}
  ~kafka_consumer() override { rd_kafka_consumer_close(rk_.get()); }

  std::optional<message> poll(std::chrono::milliseconds timeout) override { return next_message(rk_.get(), timeout); }

  void commit(const message& m) override {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, m.topic.c_str(), m.partition)->offset = m.offset + 1;
    auto err = rd_kafka_offsets_store(rk_.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    // A partition revoked meanwhile refuses the store: its new owner re-reads the message, which
    // is safe because every stage's output is idempotent.
    if (err) log(log_level::debug, "kafka", std::string("error=\"") + rd_kafka_err2str(err) + "\" offset not stored");
  }

  bool finished() const override { return false; }

 private:
  rk_ptr rk_;
};

}  // namespace

result<void> ensure_topics(const kafka_config& cfg, const std::vector<std::string>& topics,
                           std::chrono::milliseconds timeout, const std::map<std::string, std::string>& topic_config) {
  auto conf = make_conf(cfg, {{"client.id", "talaia-admin"}});
  if (!conf) return conf.err();
  auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return rk.err();
  auto known = read_metadata(rk->get(), cfg.brokers, timeout);
  if (!known) return known.err();
  std::vector<std::string> missing;
  for (const auto& t : topics)
    if (!known->topics.count(t)) missing.push_back(t);
  const int brokers = known->brokers;
  if (missing.empty()) return {};

  std::vector<rd_kafka_NewTopic_t*> new_topics;
  char errstr[512];
  for (const auto& t : missing) {
    auto* nt = rd_kafka_NewTopic_new(t.c_str(), cfg.partitions, brokers >= 3 ? 3 : 1, errstr, sizeof errstr);
    if (!nt) {
      for (auto* n : new_topics) rd_kafka_NewTopic_destroy(n);
      return make_error("topic " + t + ": " + errstr);
    }
    new_topics.push_back(nt);
    for (const auto& [k, v] : topic_config) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk->get());
  rd_kafka_CreateTopics(rk->get(), new_topics.data(), new_topics.size(), nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, static_cast<int>(timeout.count()) * 2);
  result<void> outcome;
  if (!ev) {
    outcome = make_error("creating topics on " + cfg.brokers + ": timed out");
  } else if (rd_kafka_event_error(ev)) {
    outcome = make_error("creating topics on " + cfg.brokers + ": " + rd_kafka_event_error_string(ev));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(results[i]);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        log_info("kafka", std::string("topic=") + rd_kafka_topic_result_name(results[i]) + " topic created");
      } else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        outcome = make_error(std::string("creating topic ") + rd_kafka_topic_result_name(results[i]) + ": " +
                             (rd_kafka_topic_result_error_string(results[i]) ? rd_kafka_topic_result_error_string(results[i]) : rd_kafka_err2str(e)));
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  for (auto* n : new_topics) rd_kafka_NewTopic_destroy(n);
  return outcome;
}

result<std::unique_ptr<producer>> make_kafka_producer(const kafka_config& cfg, const std::string& client_id) {
  // A burst (a flow exporter's, a broker's pause) waits in librdkafka's queue: a million messages
  // (its default, 100,000, is under a second of flow records; the bytes stay bounded by
  // queue.buffering.max.kbytes, 1 GiB) before the collectors count UDP events as bus_full.
  auto conf = make_conf(cfg, producer_properties(client_id, {{"queue.buffering.max.messages", "1000000"}}));
  if (!conf) return conf.err();
  // The producer is the delivery callback's opaque, so it exists before its handle.
  auto p = std::make_unique<kafka_producer>();
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &kafka_producer::on_delivery);
  auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return rk.err();
  p->attach(std::move(*rk));
  return std::unique_ptr<producer>(std::move(p));
}

result<std::unique_ptr<consumer>> make_kafka_consumer(const kafka_config& cfg, const std::string& group_id,
                                                      const std::vector<std::string>& topics) {
  auto conf = make_conf(cfg, {{"group.id", group_id},
                              {"client.id", group_id},
                              {"enable.auto.offset.store", "false"},
                              {"enable.auto.commit", "true"},
                              {"auto.commit.interval.ms", "1000"},
                              {"auto.offset.reset", "earliest"},
                              {"partition.assignment.strategy", "cooperative-sticky"}});
  if (!conf) return conf.err();
  auto rk = make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) return rk.err();
  rd_kafka_poll_set_consumer(rk->get());
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const auto& t : topics) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  auto err = rd_kafka_subscribe(rk->get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) return kafka_error("subscribing to topics", err);
  return std::unique_ptr<consumer>(std::make_unique<kafka_consumer>(std::move(*rk)));
}

}  // namespace talaia::core
