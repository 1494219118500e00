#include "correlator/transactional_correlate.hpp"

#include <algorithm>
#include <unordered_map>

#include "core/log.hpp"
#include "storage/incident_store.hpp"

namespace talaia::correlator {

namespace {

// Assignment: local state when it is current, else the changelog's (see the header).
core::result<void> take_over(core::transactional_session& session, partitioned_correlate& state,
                             storage::incident_store& store, const std::string& changelog, std::int32_t partition,
                             std::optional<std::int64_t> committed) {
  const std::string where = "partition=" + std::to_string(partition) + " ";
  if (!committed) {
    state.assign(partition, {});
    core::log_info("correlate", where + "no committed offset: state starts empty");
    return store.replace_partition(partition, std::nullopt, {});
  }
  auto local = store.read_partition(partition);
  if (!local) return local.err();
  if (local->offset == committed) {
    state.assign(partition, local->records);
    core::log_info("correlate", where + "records=" + std::to_string(local->records.size()) + " local state is current");
    return {};
  }
  auto records = session.read_compacted(changelog, partition);
  if (!records) return records.err();
  state.assign(partition, *records);
  core::log_info("correlate", where + "records=" + std::to_string(records->size()) + " committed=" +
                                  std::to_string(*committed) + " state rebuilt from " + changelog);
  return store.replace_partition(partition, committed, *records);
}

}  // namespace

core::result<void> run_transactional_correlate(core::transactional_session& session, partitioned_correlate& state,
                                               storage::incident_store& store, const transactional_settings& settings,
                                               const std::atomic<bool>& stop,
                                               const std::function<void()>& before_batch) {
  std::vector<core::message> batch;
  std::optional<core::error> failure;
  session.set_hooks({
      [&](std::int32_t partition, std::optional<std::int64_t> committed) -> core::result<void> {
        auto r = take_over(session, state, store, settings.changelog_topic, partition, committed);
        if (!r) failure = r.err();
        return r;
      },
      [&](std::int32_t partition) {
        state.revoke(partition);
        std::erase_if(batch, [&](const core::message& m) { return m.partition == partition; });
      },
  });

  // The hooks above refer to this frame; once it is gone (the session may still revoke while
  // it closes), only the state is left to forget.
  struct unhook {
    core::transactional_session& session;
    partitioned_correlate& state;
    ~unhook() { session.set_hooks({nullptr, [&s = state](std::int32_t partition) { s.revoke(partition); }}); }
  } restore_hooks{session, state};

  std::vector<std::pair<std::string, std::string>> incidents;
  std::unordered_map<std::string, std::size_t> latest;  // incident id -> its last version in `incidents`
  while (!stop.load(std::memory_order_relaxed)) {
    batch.clear();
    while (batch.size() < settings.max_batch) {
      auto m = session.poll(batch.empty() ? settings.poll_timeout : std::chrono::milliseconds(0));
      if (!m) break;
      batch.push_back(std::move(*m));
    }
    if (failure) return *failure;
    if (batch.empty()) continue;
    if (before_batch) before_batch();

    if (auto r = session.begin(); !r) return r;
    incidents.clear();
    latest.clear();
    std::map<std::int32_t, std::int64_t> first_offsets, next_offsets;
    for (const auto& m : batch) {
      state.handle(m, incidents);
      first_offsets.try_emplace(m.partition, m.offset);
      next_offsets[m.partition] = m.offset + 1;
    }
    // Only an incident's last version in the batch goes out: the same id, more events.
    for (std::size_t i = 0; i < incidents.size(); ++i) latest[incidents[i].first] = i;
    for (std::size_t i = 0; i < incidents.size(); ++i)
      if (latest[incidents[i].first] == i)
        if (auto r = session.send(settings.incidents_topic, -1, incidents[i].first, incidents[i].second); !r) return r;
    std::vector<storage::partition_update> updates;
    for (const auto& [partition, offset] : next_offsets) {
      storage::partition_update u{partition, offset, state.take_changes(partition)};
      for (const auto& [key, value] : u.records)
        if (auto r = session.send(settings.changelog_topic, partition, key, value); !r) return r;
      updates.push_back(std::move(u));
    }
    auto committed = session.commit(next_offsets);
    if (!committed) return committed.err();
    if (!*committed) {
      // Aborted (a rebalance fenced the offsets): nothing of the batch is visible. Back to the
      // state before it, which the local store holds, and read the batch again.
      for (const auto& [partition, offset] : first_offsets) {
        if (!state.owns(partition)) continue;
        auto saved = store.read_partition(partition);
        if (!saved) return saved.err();
        state.assign(partition, saved->records);
      }
      if (auto r = session.rewind(first_offsets); !r) return r;
      core::log_warn("correlate", "partitions=" + std::to_string(first_offsets.size()) +
                                      " batch aborted by a rebalance: read again from its first offsets");
      continue;
    }
    if (auto r = store.write_partitions(updates); !r) return r;
  }
  return {};
}

}  // namespace talaia::correlator
