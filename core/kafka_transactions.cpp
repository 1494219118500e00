#include "core/kafka_transactions.hpp"

#include <cstring>
#include <thread>

#include "core/kafka_client.hpp"
#include "core/log.hpp"

namespace talaia::core {

namespace {

using namespace kafka;

constexpr int txn_timeout_ms = 30000;   // one call of the transaction API
constexpr int read_timeout_ms = 120000;  // reading a changelog partition to its end

// The one place a transaction API error becomes ours; says whether the transaction must be
// aborted before going on.
error txn_error(const std::string& context, const rd_kafka_error_t* e) {
  return make_error(context + ": " + rd_kafka_error_string(e) +
                    (rd_kafka_error_is_fatal(e) ? " (fatal: another process may use the same transactional id)" : ""));
}

class kafka_session final : public transactional_session {
 public:
  kafka_session(const kafka_config& cfg, std::string input_topic) : cfg_(cfg), input_topic_(std::move(input_topic)) {}
  ~kafka_session() override {
    if (consumer_) rd_kafka_consumer_close(consumer_.get());  // revokes through the hooks
  }

  result<void> start(const std::string& group_id, const std::string& transactional_id) {
    // A process that dies mid-transaction blocks read_committed readers of its partitions until
    // the broker aborts it: transaction.timeout.ms.
    auto pconf = make_conf(cfg_, producer_properties(transactional_id, {{"transactional.id", transactional_id},
                                                                        {"transaction.timeout.ms", "10000"}}));
    if (!pconf) return pconf.err();
    auto p = make_handle(RD_KAFKA_PRODUCER, std::move(*pconf));
    if (!p) return p.err();
    producer_ = std::move(*p);
    if (error_ptr e{rd_kafka_init_transactions(producer_.get(), txn_timeout_ms)})
      return txn_error("initialising Kafka transactions (transactional.id=" + transactional_id + ")", e.get());

    auto cconf = make_conf(cfg_, {{"group.id", group_id},
                                  {"client.id", transactional_id},
                                  {"enable.auto.commit", "false"},
                                  {"enable.auto.offset.store", "false"},
                                  {"isolation.level", "read_committed"},
                                  {"auto.offset.reset", "earliest"},
                                  {"partition.assignment.strategy", "cooperative-sticky"}});
    if (!cconf) return cconf.err();
    rd_kafka_conf_set_opaque(cconf->get(), this);
    rd_kafka_conf_set_rebalance_cb(cconf->get(), &kafka_session::on_rebalance);
    auto c = make_handle(RD_KAFKA_CONSUMER, std::move(*cconf));
    if (!c) return c.err();
    consumer_ = std::move(*c);
    rd_kafka_poll_set_consumer(consumer_.get());
    partition_list_ptr topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), input_topic_.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(consumer_.get(), topics.get())) return kafka_error("subscribing to " + input_topic_, err);
    return {};
  }

  void set_hooks(partition_hooks hooks) override { hooks_ = std::move(hooks); }

  std::optional<message> poll(std::chrono::milliseconds timeout) override {
    if (hook_failure_) return std::nullopt;
    return next_message(consumer_.get(), timeout);
  }

  // A failed assignment hook (state could not be rebuilt) stops the stage: poll() returns
  // nothing and the next commit() reports it.
  result<void> begin() override {
    if (hook_failure_) return *hook_failure_;
    if (error_ptr e{rd_kafka_begin_transaction(producer_.get())}) return txn_error("beginning a Kafka transaction", e.get());
    return {};
  }

  result<void> send(const std::string& topic, std::int32_t partition, const std::string& key,
                    const std::optional<std::string>& value) override {
    void* payload = value ? const_cast<char*>(value->data()) : nullptr;
    const std::size_t length = value ? value->size() : 0;
    for (;;) {
      auto err = rd_kafka_producev(
          producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(payload, length),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return kafka_error("producing to " + topic, err);
      rd_kafka_poll(producer_.get(), 50);
    }
  }

  result<bool> commit(const std::map<std::int32_t, std::int64_t>& next_offsets) override {
    if (hook_failure_) return abort_with(*hook_failure_);
    partition_list_ptr offsets(rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())));
    for (const auto& [partition, offset] : next_offsets)
      rd_kafka_topic_partition_list_add(offsets.get(), input_topic_.c_str(), partition)->offset = offset;
    std::unique_ptr<rd_kafka_consumer_group_metadata_t, void (*)(rd_kafka_consumer_group_metadata_t*)> group(
        rd_kafka_consumer_group_metadata(consumer_.get()), rd_kafka_consumer_group_metadata_destroy);
    if (error_ptr e{rd_kafka_send_offsets_to_transaction(producer_.get(), offsets.get(), group.get(), txn_timeout_ms)})
      return give_up_or_abort("adding input offsets to the Kafka transaction", e.get());
    for (int attempt = 0;; ++attempt) {
      error_ptr e{rd_kafka_commit_transaction(producer_.get(), txn_timeout_ms)};
      if (!e) return true;
      if (rd_kafka_error_is_retriable(e.get()) && attempt < 3) continue;
      return give_up_or_abort("committing the Kafka transaction", e.get());
    }
  }

  result<void> rewind(const std::map<std::int32_t, std::int64_t>& offsets) override {
    partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& [partition, offset] : offsets)
      rd_kafka_topic_partition_list_add(list.get(), input_topic_.c_str(), partition)->offset = offset;
    if (error_ptr e{rd_kafka_seek_partitions(consumer_.get(), list.get(), txn_timeout_ms)})
      return make_error(std::string("rewinding ") + input_topic_ + ": " + rd_kafka_error_string(e.get()));
    // A partition revoked meanwhile cannot be sought; its new owner reads it from the committed
    // offset anyway.
    for (int i = 0; i < list->cnt; ++i)
      if (list->elems[i].err)
        log(log_level::debug, "kafka", "partition=" + std::to_string(list->elems[i].partition) + " error=\"" +
                                           rd_kafka_err2str(list->elems[i].err) + "\" not rewound");
    return {};
  }

  result<std::vector<std::pair<std::string, std::string>>> read_compacted(const std::string& topic,
                                                                          std::int32_t partition) override {
    auto conf = make_conf(cfg_, {{"group.id", "talaia-changelog-reader"},
                                 {"enable.auto.commit", "false"},
                                 {"isolation.level", "read_committed"},
                                 {"enable.partition.eof", "true"}});
    if (!conf) return conf.err();
    auto rk = make_handle(RD_KAFKA_CONSUMER, std::move(*conf));
    if (!rk) return rk.err();
    std::int64_t low = 0, high = 0;
    if (auto err = rd_kafka_query_watermark_offsets(rk->get(), topic.c_str(), partition, &low, &high, 10000))
      return kafka_error("reading the end of " + topic + "/" + std::to_string(partition), err);
    std::map<std::string, std::string> latest;
    if (high > low) {
      partition_list_ptr list(rd_kafka_topic_partition_list_new(1));
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
      if (auto err = rd_kafka_assign(rk->get(), list.get())) return kafka_error("reading " + topic, err);
      // Up to the end of what is committed (librdkafka reports the partition's end at the last
      // stable offset under read_committed).
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(read_timeout_ms);
      for (;;) {
        if (std::chrono::steady_clock::now() > deadline)
          return make_error("reading " + topic + "/" + std::to_string(partition) + ": timed out before its end");
        message_ptr m(rd_kafka_consumer_poll(rk->get(), 500));
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
        if (m->err) return kafka_error("reading " + topic, m->err);
        std::string key(static_cast<const char*>(m->key), m->key_len);
        if (m->payload) latest[key].assign(static_cast<const char*>(m->payload), m->len);
        else latest.erase(key);
      }
    }
    rd_kafka_consumer_close(rk->get());
    return std::vector<std::pair<std::string, std::string>>(latest.begin(), latest.end());
  }

 private:
  // An abortable failure (the group rebalanced under the transaction: its offsets are fenced)
  // aborts and says so; anything else is the session's end.
  result<bool> give_up_or_abort(const std::string& context, const rd_kafka_error_t* e) {
    if (!rd_kafka_error_txn_requires_abort(e) || rd_kafka_error_is_fatal(e)) return abort_with(txn_error(context, e));
    log_warn("kafka", "error=\"" + std::string(rd_kafka_error_string(e)) + "\" " + context + " failed: transaction aborted");
    if (error_ptr ae{rd_kafka_abort_transaction(producer_.get(), txn_timeout_ms)})
      return txn_error("aborting the Kafka transaction", ae.get());
    return false;
  }

  error abort_with(const error& e) {
    error_ptr ae{rd_kafka_abort_transaction(producer_.get(), txn_timeout_ms)};
    if (ae) log_warn("kafka", std::string("error=\"") + rd_kafka_error_string(ae.get()) + "\" aborting the transaction failed");
    return e;
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<kafka_session*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      // Committed offsets first: they say whether local state is current for each partition.
      if (auto e = rd_kafka_committed(rk, parts, 30000))
        self->hook_failure_ = kafka_error("reading committed offsets", e);
      for (int i = 0; i < parts->cnt && !self->hook_failure_; ++i) {
        const auto& p = parts->elems[i];
        std::optional<std::int64_t> committed;
        if (p.offset >= 0) committed = p.offset;
        log_info("kafka", "topic=" + std::string(p.topic) + " partition=" + std::to_string(p.partition) +
                              " committed=" + (committed ? std::to_string(*committed) : std::string("none")) +
                              " partition assigned");
        if (self->hooks_.assigned && !self->hook_failure_)
          if (auto r = self->hooks_.assigned(p.partition, committed); !r) self->hook_failure_ = r.err();
      }
      error_ptr e{cooperative ? rd_kafka_incremental_assign(rk, parts) : nullptr};
      if (!cooperative) rd_kafka_assign(rk, parts);
      if (e) log_warn("kafka", std::string("error=\"") + rd_kafka_error_string(e.get()) + "\" assign failed");
    } else {
      for (int i = 0; i < parts->cnt; ++i) {
        log_info("kafka", "topic=" + std::string(parts->elems[i].topic) +
                              " partition=" + std::to_string(parts->elems[i].partition) + " partition revoked");
        if (self->hooks_.revoked) self->hooks_.revoked(parts->elems[i].partition);
      }
      error_ptr e{cooperative ? rd_kafka_incremental_unassign(rk, parts) : nullptr};
      if (!cooperative) rd_kafka_assign(rk, nullptr);
      if (e) log_warn("kafka", std::string("error=\"") + rd_kafka_error_string(e.get()) + "\" unassign failed");
    }
  }

  kafka_config cfg_;
  std::string input_topic_;
  rk_ptr producer_;
  rk_ptr consumer_;
  partition_hooks hooks_;
  std::optional<error> hook_failure_;
};

}  // namespace

result<std::unique_ptr<transactional_session>> make_kafka_transactional_session(const kafka_config& cfg,
                                                                                 const std::string& group_id,
                                                                                 const std::string& input_topic,
                                                                                 const std::string& transactional_id) {
  auto s = std::make_unique<kafka_session>(cfg, input_topic);
  if (auto r = s->start(group_id, transactional_id); !r) return r.err();
  return std::unique_ptr<transactional_session>(std::move(s));
}

result<int> topic_partition_count(const kafka_config& cfg, const std::string& topic) {
  auto conf = make_conf(cfg, {{"client.id", "talaia-admin"}});
  if (!conf) return conf.err();
  auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return rk.err();
  // A topic created a moment ago may take a little while to appear in the metadata.
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto known = read_metadata(rk->get(), cfg.brokers, std::chrono::seconds(10));
    if (!known) return known.err();
    if (auto it = known->topics.find(topic); it != known->topics.end() && it->second > 0) return it->second;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return make_error("topic " + topic + " does not exist");
}

}  // namespace talaia::core
