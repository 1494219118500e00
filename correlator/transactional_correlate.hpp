#pragma once
// The correlate stage over Kafka, exactly once. Each batch of detections is one transaction:
// the incidents it opens or updates, its state changes on a compacted changelog topic (to the
// partition of the same number as the input's) and its input offsets are committed together;
// only then do the state changes and the offsets go to the local store in one WriteBatch.
//
// When a partition is assigned:
// * the local store's offset for it equals the group's committed offset: the local state is
//   current (the usual restart, also after SIGKILL: an open transaction is aborted by the next
//   process with the same transactional id, and the local store never saw it);
// * otherwise (a partition another process owned, or a crash between the commit and the local
//   write): the state is rebuilt from the changelog partition read to its committed end, which
//   holds exactly the state at the committed offset, and replaces the local copy;
// * no committed offset: the group never processed it; the state starts empty.
// A revoked partition's state is dropped from memory; nothing is pending, since revocation
// happens only between batches. A transaction the broker aborts because the group rebalanced
// under it (its offsets carry a stale generation) rolls the batch's partitions back to the
// local store's state and reads the batch again.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "core/transactional_bus.hpp"
#include "correlator/partitioned_correlate.hpp"

namespace talaia::storage {
class incident_store;
}

namespace talaia::correlator {

struct transactional_settings {
  std::string incidents_topic = "talaia.incidents";
  std::string changelog_topic = "talaia.correlate-changelog";
  std::size_t max_batch = 1000;
  std::chrono::milliseconds poll_timeout{100};
};

// Runs until `stop` is set; error when a transaction or the local store fails (the process
// then exits and its successor resumes from the last committed batch). `before_batch` runs
// between batches (rule reloads).
core::result<void> run_transactional_correlate(core::transactional_session& session, partitioned_correlate& state,
                                               storage::incident_store& store, const transactional_settings& settings,
                                               const std::atomic<bool>& stop,
                                               const std::function<void()>& before_batch = {});

}  // namespace talaia::correlator
