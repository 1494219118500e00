#pragma once
// The Kafka correlate stage's state: one `correlator` per input partition the process owns.
// Detections are keyed by the correlation group they feed, so a partition holds whole groups and
// its state can move to another process on its own. A partition's state is a set of records,
// the same in the local store (storage::incident_store) and in the changelog topic:
//   "i" 0x1f <rule id 0x1e group>         -> open incident JSON (the quiet-period tracker)
//   "w" 0x1f <correlation 0x1e group>     -> correlation window JSON
// and changes are handed out per partition after each batch (take_changes). Pure: no I/O.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/bus.hpp"
#include "correlator/correlate.hpp"

namespace talaia::correlator {

using state_records = std::vector<std::pair<std::string, std::string>>;
using state_changes = std::vector<std::pair<std::string, std::optional<std::string>>>;  // nothing: deleted

class partitioned_correlate {
 public:
  partitioned_correlate(correlate_settings s, std::shared_ptr<const correlation_set> correlations,
                        correlate_metrics m);

  // Takes a partition over with its saved records (empty for a partition never seen).
  void assign(std::int32_t partition, const state_records& saved);
  // Forgets a partition's state (it is saved already: changes are taken after every batch).
  void revoke(std::int32_t partition);
  bool owns(std::int32_t partition) const { return parts_.count(partition) != 0; }

  // One detection from its partition; appends each incident it opens or updates as
  // (incident id, incident JSON). A detection that cannot be decoded is counted and skipped.
  void handle(const core::message& m, std::vector<std::pair<std::string, std::string>>& incidents);
  // The records `partition` changed since the last call.
  state_changes take_changes(std::int32_t partition);

  // Reloaded correlation rules: every partition's open incidents and the windows of
  // correlations that still exist carry over.
  void replace_correlations(std::shared_ptr<const correlation_set> correlations);
  std::size_t partitions() const { return parts_.size(); }

 private:
  struct part {
    correlator c;
    std::set<std::string> dirty_incidents;
    std::map<std::string, std::string> encoded;  // state key -> the incident JSON last sent this batch
    std::uint64_t since_expire = 0;
  };
  part make_part(const state_records& saved) const;
  state_records records_of(part& p) const;

  correlate_settings settings_;
  std::shared_ptr<const correlation_set> correlations_;
  correlate_metrics metrics_;
  std::map<std::int32_t, part> parts_;
  std::vector<correlator::change> changes_;
};

}  // namespace talaia::correlator
