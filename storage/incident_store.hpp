#pragma once
// RocksDB incident store. One database (a data directory) with column families:
//   incidents          id -> incident JSON
//   incidents_by_time  be64(~last_seen) + id -> ""   (newest first is a forward scan)
//   outbox             be64(seq) -> URL "\n" body             webhook deliveries not yet acknowledged
//   correlation_state  rule id + group -> incident JSON     the correlate stage's open incidents
//   correlation_windows  correlation + group -> window JSON  saved when the correlate stage stops
//   partition_state    be32(partition) + record key -> value   the Kafka correlate stage's state
//                      per input partition, with be32(partition) + "\0offset" -> be64(next offset)
// An incident, its index entry and its outbox entries are written in one WriteBatch.
#include <rocksdb/db.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/incident.hpp"
#include "core/result.hpp"

namespace talaia::storage {

// One input partition's state as the Kafka correlate stage keeps it: records (the same keys and
// values as its changelog topic) and the next input offset they include.
struct partition_snapshot {
  std::optional<std::int64_t> offset;
  std::vector<std::pair<std::string, std::string>> records;
};

// Changes to one partition's records (nothing: delete) and its new next offset.
struct partition_update {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
};

struct outbox_entry {
  std::string key;  // opaque, for remove()
  std::string url;
  std::string body;
};

class incident_store {
 public:
  static core::result<std::unique_ptr<incident_store>> open(const std::string& dir);
  ~incident_store();

  // Stores `inc` unless the stored copy has seen more events already (redelivery). When the
  // incident is new to the store, queues its body for each webhook URL in the same batch.
  // Returns true when the incident was new.
  core::result<bool> upsert(const core::incident& inc, const std::vector<std::string>& webhook_urls);

  core::result<std::vector<core::incident>> list(std::size_t limit, std::size_t offset = 0);
  core::result<std::optional<core::incident>> get(const std::string& id);

  core::result<std::vector<outbox_entry>> outbox(std::size_t limit);
  core::result<void> remove_outbox(const std::string& key);

  // The correlate stage's state: open incidents by (rule, group).
  core::result<void> put_state(const std::string& key, const core::incident& inc);
  core::result<void> delete_state(const std::string& key);
  core::result<void> for_each_state(const std::function<void(const std::string&, core::incident)>& fn);

  // The correlation engine's windows: replaced as a whole (one batch) when the stage stops,
  // read back when it starts.
  core::result<void> replace_windows(const std::vector<std::pair<std::string, std::string>>& windows);
  core::result<void> for_each_window(const std::function<void(const std::string&, const std::string&)>& fn);

  // The Kafka correlate stage's state per input partition. write_partitions applies the updates
  // of several partitions, records and offsets together, in one WriteBatch; replace_partition
  // swaps a partition's whole state (rebuilt from the changelog) in one WriteBatch.
  core::result<partition_snapshot> read_partition(std::int32_t partition);
  core::result<void> write_partitions(const std::vector<partition_update>& updates);
  core::result<void> replace_partition(std::int32_t partition, std::optional<std::int64_t> offset,
                                       const std::vector<std::pair<std::string, std::string>>& records);

 private:
  incident_store() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // owned by db_, destroyed in ~incident_store
  std::atomic<std::uint64_t> next_outbox_{0};
  std::mutex write_mu_;  // upsert reads then writes: one writer at a time
};

}  // namespace talaia::storage
