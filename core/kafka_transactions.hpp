#pragma once
// transactional_session over Kafka: a consumer in a group (read_committed, cooperative-sticky,
// no auto commit) and a transactional producer whose transactions carry the consumer's offsets
// (send_offsets_to_transaction, fenced by the group generation). A process restarted with the
// same transactional id aborts the transaction its predecessor left open.
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/transactional_bus.hpp"

namespace talaia::core {

result<std::unique_ptr<transactional_session>> make_kafka_transactional_session(const kafka_config& cfg,
                                                                                 const std::string& group_id,
                                                                                 const std::string& input_topic,
                                                                                 const std::string& transactional_id);

// Partitions of `topic` (error when it does not exist).
result<int> topic_partition_count(const kafka_config& cfg, const std::string& topic);

}  // namespace talaia::core
