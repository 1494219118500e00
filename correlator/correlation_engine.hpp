#pragma once
// Sigma correlation in event time (pure: no clock, no I/O). Each (correlation, group) keeps the
// detections of the last `timespan` in a window that slides with event time.
//
// The choices the specification leaves open, made once:
// * Sliding windows: a firing considers the detections within `timespan` before the latest one.
// * gt/gte conditions, temporal and temporal_ordered fire when they first hold; the (rule, group)
//   is then suppressed for `timespan`: detections meanwhile update the incident (count, evidence)
//   instead of firing again. temporal windows are emptied by a firing.
// * lt/lte/eq/neq are decided when the window closes: the window opens with a group's first
//   detection and closes `timespan` later, once the watermark has passed its end.
// * A detection that lacks a group-by field is not counted (metric `missing_group_field`),
//   as a SIEM's `stats ... by` drops events whose by-field is null.
// * temporal_ordered: detections of the referenced rules must occur in the listed order; equal
//   times count as in order.
// * The watermark is the latest event time seen minus the allowed lateness; a detection older
//   than the watermark is late: counted, not merged.
// * At most `max_groups_per_rule` groups per correlation; beyond it the least recently updated
//   group is evicted (counted).
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/incident.hpp"
#include "core/metrics.hpp"
#include "correlator/correlation_set.hpp"

namespace talaia::correlator {

// Registry counters the engine adds to beside its own counters (null: none); shared by every
// engine of a process (one per partition, a new one on each rule reload).
struct engine_metrics {
  core::counter* late = nullptr;
  core::counter* missing_group_field = nullptr;
  core::counter* evicted = nullptr;
  core::counter* fired = nullptr;
};

struct engine_settings {
  engine_metrics metrics;
  std::int64_t allowed_lateness_micros = 5 * 60 * 1'000'000LL;
  std::size_t max_groups_per_rule = 100'000;
  std::size_t max_evidence = 10;
};

// A correlation that fired (or, during suppression, one more detection for its open incident).
struct firing {
  const correlation_rule* rule = nullptr;
  core::group_values group;
  std::int64_t time = 0;
  std::uint64_t count = 0;          // detections behind it
  std::vector<std::string> events;  // evidence, at most max_evidence
  bool update_only = false;         // a detection during suppression: add to the open incident
};

struct engine_counters {
  std::uint64_t late = 0, missing_group_field = 0, evicted = 0, fired = 0;
};

class correlation_engine {
 public:
  correlation_engine(std::shared_ptr<const correlation_set> set, engine_settings s)
      : set_(std::move(set)), settings_(s) {}

  // One detection routed to a correlation (d.correlation names it). Appends what fires,
  // including windows the advancing watermark closes.
  void apply(const core::detection& d, std::vector<firing>& out);
  // Closes every window that ended before `watermark` (also used at the end of a replay with
  // the largest time, to decide the windows still open).
  void close_windows(std::int64_t watermark, std::vector<firing>& out);

  std::int64_t watermark() const { return max_time_ - settings_.allowed_lateness_micros; }

  // Every group's window as (key, JSON), to survive a restart; and back. A saved window whose
  // correlation is no longer loaded is dropped on load.
  std::vector<std::pair<std::string, std::string>> save() const;
  void load(const std::string& key, std::string_view json);
  // The keys of the groups changed or erased since the last call, for incremental saving; with
  // window_json() (nothing: the group is gone) they give what to write.
  std::vector<std::string> take_dirty();
  std::optional<std::string> window_json(const std::string& key) const;
  void mark_dirty(const std::string& key) { dirty_.insert(key); }
  const engine_counters& counters() const { return counters_; }
  std::size_t group_count() const { return groups_.size(); }

 private:
  struct entry {
    std::int64_t time;
    std::uint32_t position;
    std::string value;
    std::string event_json;
  };
  struct group_state {
    std::size_t correlation = 0;
    core::group_values group;
    std::deque<entry> window;  // ordered by time
    std::int64_t suppressed_until = INT64_MIN;
    std::int64_t window_start = INT64_MIN;  // close-decided conditions
    std::int64_t last_update = 0;
  };

  void evaluate(group_state& g, std::int64_t now, std::vector<firing>& out);
  firing make_firing(const group_state& g, std::int64_t time, std::uint64_t count) const;
  void touch(const std::string& key, group_state& g, std::int64_t time);
  void evict_if_full(std::size_t correlation, const std::string& keep);
  void erase_group(const std::string& key);
  std::string group_json(const group_state& g) const;

  std::shared_ptr<const correlation_set> set_;
  engine_settings settings_;
  std::map<std::string, group_state> groups_;
  // (last update, group key) in time order; found by a view of the key too.
  struct lru_order {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.first != b.first ? a.first < b.first : std::string_view(a.second) < std::string_view(b.second);
    }
  };
  std::vector<std::set<std::pair<std::int64_t, std::string>, lru_order>> lru_;  // per correlation
  std::multimap<std::int64_t, std::string> closing_;                 // window end -> group key
  std::int64_t max_time_ = INT64_MIN / 2;
  engine_counters counters_;
  std::set<std::string> dirty_;
};

}  // namespace talaia::correlator
