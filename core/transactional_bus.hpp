#pragma once
// The seam for a consuming stage whose input offsets, output messages and state changelog are
// committed together (exactly-once consume-transform-produce). Implemented over Kafka
// transactions (core/kafka_transactions.hpp); tests use a fake.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bus.hpp"
#include "core/result.hpp"

namespace talaia::core {

struct partition_hooks {
  // A partition of the input was assigned to this process; `committed` is the group's committed
  // offset for it (nothing when none was ever committed). Runs before any of its messages.
  std::function<result<void>(std::int32_t partition, std::optional<std::int64_t> committed)> assigned;
  // A partition was taken away; no message of it is returned by poll() after this.
  std::function<void(std::int32_t partition)> revoked;
};

class transactional_session {
 public:
  virtual ~transactional_session() = default;
  // Must be set before the first poll(); called from within poll().
  virtual void set_hooks(partition_hooks hooks) = 0;
  virtual std::optional<message> poll(std::chrono::milliseconds timeout) = 0;

  virtual result<void> begin() = 0;
  // `partition` -1: chosen by key. `value` nothing: a tombstone (deletes the key from a
  // compacted topic).
  virtual result<void> send(const std::string& topic, std::int32_t partition, const std::string& key,
                            const std::optional<std::string>& value) = 0;
  // Commits what was sent since begin() together with the input's next offsets per partition:
  // true when committed; false when the transaction had to be aborted and may be tried again
  // (a rebalance fenced its offsets): nothing of it is visible, and the caller rewinds.
  // Error: the session cannot go on (another process took its transactional id, the broker
  // is gone).
  virtual result<bool> commit(const std::map<std::int32_t, std::int64_t>& next_offsets) = 0;
  // Reads the given partitions again from the given offsets (after an aborted commit).
  virtual result<void> rewind(const std::map<std::int32_t, std::int64_t>& offsets) = 0;

  // The latest committed value of every key in one partition of a compacted topic.
  virtual result<std::vector<std::pair<std::string, std::string>>> read_compacted(const std::string& topic,
                                                                                  std::int32_t partition) = 0;
};

}  // namespace talaia::core
