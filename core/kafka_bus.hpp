#pragma once
// The Kafka implementation of the bus (librdkafka). Producers are idempotent with acks=all; a
// consumer stores an offset only when the stage says its output is delivered (commit()), and
// librdkafka commits stored offsets in the background and on close.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/bus.hpp"
#include "core/config.hpp"

namespace talaia::core {

// Connects, fails with the broker address when no broker answers within `timeout`, and creates
// the topics that do not exist yet (kafka.partitions partitions, replication factor 1 unless the
// cluster says otherwise), with `topic_config` (e.g. cleanup.policy=compact).
result<void> ensure_topics(const kafka_config& cfg, const std::vector<std::string>& topics,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10),
                           const std::map<std::string, std::string>& topic_config = {});

result<std::unique_ptr<producer>> make_kafka_producer(const kafka_config& cfg, const std::string& client_id);

result<std::unique_ptr<consumer>> make_kafka_consumer(const kafka_config& cfg, const std::string& group_id,
                                                      const std::vector<std::string>& topics);

}  // namespace talaia::core
