#pragma once
// librdkafka handles shared by the Kafka bus and the transactional session: owning pointers,
// configuration from kafka_config, and the one place librdkafka's status becomes our error.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <optional>
#include <memory>
#include <string>

#include "core/bus.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

namespace talaia::core::kafka {

struct rk_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct message_deleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
struct error_deleter {
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;
using message_ptr = std::unique_ptr<rd_kafka_message_t, message_deleter>;
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;
using error_ptr = std::unique_ptr<rd_kafka_error_t, error_deleter>;

error kafka_error(const std::string& context, rd_kafka_resp_err_t err);

// bootstrap.servers from cfg, then `props`, then cfg's pass-through properties (which win).
result<conf_ptr> make_conf(const kafka_config& cfg, const std::map<std::string, std::string>& props);
// What every producer of ours sets (idempotent, acks=all, linger.ms 5, lz4), with `client.id`
// and `extra` added.
std::map<std::string, std::string> producer_properties(const std::string& client_id,
                                                       std::map<std::string, std::string> extra = {});
result<rk_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf);

// The next message of a consumer as ours; nothing on timeout, at a partition's end, or on a
// consumer error (logged).
std::optional<message> next_message(rd_kafka_t* consumer, std::chrono::milliseconds timeout);

// What the cluster says of itself: every topic with its partition count, and how many brokers.
struct cluster_metadata {
  std::map<std::string, int> topics;
  int brokers = 0;
};
// The error names `brokers` (the bootstrap list) when none answers.
result<cluster_metadata> read_metadata(rd_kafka_t* rk, const std::string& brokers, std::chrono::milliseconds timeout);

}  // namespace talaia::core::kafka
