#include "core/kafka_client.hpp"

#include "core/log.hpp"

namespace talaia::core::kafka {

// The one place librdkafka's status becomes our error.
error kafka_error(const std::string& context, rd_kafka_resp_err_t err) {
  return make_error(context + ": " + rd_kafka_err2str(err));
}

result<conf_ptr> make_conf(const kafka_config& cfg, const std::map<std::string, std::string>& props) {
  conf_ptr conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& k, const std::string& v) -> result<void> {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
      return make_error("kafka property " + k + "=" + v + ": " + errstr);
    return {};
  };
  if (cfg.brokers.empty()) return make_error("no Kafka brokers configured (--brokers HOST:PORT or kafka.brokers)");
  if (auto r = set("bootstrap.servers", cfg.brokers); !r) return r.err();
  for (const auto& [k, v] : props)
    if (auto r = set(k, v); !r) return r.err();
  for (const auto& [k, v] : cfg.librdkafka)
    if (auto r = set(k, v); !r) return r.err();
  return conf;
}

std::map<std::string, std::string> producer_properties(const std::string& client_id,
                                                       std::map<std::string, std::string> extra) {
  extra.insert({{"client.id", client_id},
                {"enable.idempotence", "true"},
                {"acks", "all"},
                {"linger.ms", "5"},
                {"compression.type", "lz4"}});
  return extra;
}

result<rk_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (!rk) return make_error(std::string("cannot create Kafka client: ") + errstr);
  conf.release();  // owned by rk now
  return rk_ptr(rk);
}

std::optional<message> next_message(rd_kafka_t* consumer, std::chrono::milliseconds timeout) {
  message_ptr m(rd_kafka_consumer_poll(consumer, static_cast<int>(timeout.count())));
  if (!m) return std::nullopt;
  if (m->err) {
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
      log_warn("kafka", std::string("error=\"") + rd_kafka_message_errstr(m.get()) + "\" consumer error");
    return std::nullopt;
  }
  message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  if (m->key) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.value = std::string(static_cast<const char*>(m->payload), m->len);
  out.partition = m->partition;
  out.offset = m->offset;
  return out;
}

result<cluster_metadata> read_metadata(rd_kafka_t* rk, const std::string& brokers, std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  if (auto err = rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout.count())))
    return kafka_error("cannot reach the Kafka broker(s) at " + brokers, err);
  cluster_metadata out;
  out.brokers = md->broker_cnt;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) out.topics[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace talaia::core::kafka
