#pragma once
// The correlate stage. Detections become incidents, one open incident per (rule, group): a later
// match for the same rule and group updates it (last_seen, event_count, evidence) until a quiet
// period passes without one. Detections that feed a Sigma correlation rule go through the
// correlation engine first, and its firings become the correlation's incidents (and feed
// correlations over correlations). Event time throughout, so a replayed capture gives the
// incidents the live stream gave.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/bus.hpp"
#include "core/incident.hpp"
#include "core/metrics.hpp"
#include "correlator/correlation_engine.hpp"

namespace talaia::storage {
class incident_store;
}

namespace talaia::correlator {

struct correlate_settings {
  std::chrono::milliseconds quiet_period{std::chrono::hours(1)};
  std::size_t max_evidence = 10;
  std::string incidents_topic = "talaia.incidents";
  engine_settings engine;
};

// One open incident per (rule, group); pure.
class incident_tracker {
 public:
  explicit incident_tracker(const correlate_settings& s) : settings_(s) {}

  struct change {
    std::string state_key;
    const core::incident* incident;  // valid until the next call
    bool opened;
    bool duplicate;  // the same event was already counted (redelivery): nothing changed
  };
  // `count` matches at `time` (with up to max_evidence of their events) for `rule` and `group`.
  change record(const core::rule_info& rule, const core::group_values& group, std::int64_t time,
                const std::vector<std::string>& events, std::uint64_t count);

  // Drops incidents quiet for longer than the quiet period before `now` (event time);
  // returns their state keys.
  std::vector<std::string> expire(std::int64_t now);
  void restore(const std::string& state_key, core::incident inc);
  const std::map<std::string, core::incident>& open_incidents() const { return open_; }
  std::int64_t max_time() const { return max_time_; }

 private:
  correlate_settings settings_;
  std::map<std::string, core::incident> open_;
  std::int64_t max_time_ = 0;
};

// Detections in, incident changes out: the tracker, with the correlation engine in front of it
// for detections that feed correlation rules. Pure; used by the stage and by `talaia replay`.
class correlator {
 public:
  correlator(correlate_settings s, std::shared_ptr<const correlation_set> correlations);
  using change = incident_tracker::change;
  // Appends the incident changes one detection causes (none, one, or several when correlations
  // fire). The incident pointers stay valid until the next call.
  void apply(const core::detection& d, std::vector<change>& out);
  // Decides the windows still open (end of a replay): everything up to `time`.
  void finish(std::int64_t time, std::vector<change>& out);

  incident_tracker& tracker() { return tracker_; }
  correlation_engine& engine() { return engine_; }
  const engine_counters& engine_counters_now() const { return engine_.counters(); }

 private:
  void fired(const firing& f, int depth, std::vector<change>& out);
  correlate_settings settings_;
  std::shared_ptr<const correlation_set> correlations_;
  incident_tracker tracker_;
  correlation_engine engine_;
};

struct correlate_metrics {
  core::counter* detections = nullptr;
  core::counter* opened = nullptr;
  core::counter* updated = nullptr;
  core::counter* errors = nullptr;
};

// The stage's message handler: open incidents kept in `store` (when given) so a restart
// continues them; each change is sent on the incidents topic keyed by incident id.
class correlate_stage {
 public:
  correlate_stage(correlate_settings s, std::shared_ptr<const correlation_set> correlations, core::producer& out,
                  storage::incident_store* store, correlate_metrics m);
  // Open incidents and saved correlation windows back from the store.
  core::result<void> restore();
  core::result<void> handle(const core::message& m);
  // Saves the correlation windows (call when the stage stops, after its last message).
  core::result<void> save_windows();
  // Reloaded correlation rules: open incidents and the windows of correlations that still exist
  // carry over.
  void replace_correlations(std::shared_ptr<const correlation_set> correlations);

 private:
  correlator correlator_;
  correlate_settings settings_;
  core::producer& out_;
  storage::incident_store* store_;
  correlate_metrics metrics_;
  std::vector<correlator::change> changes_;
  std::uint64_t since_expire_ = 0;
};

}  // namespace talaia::correlator
