#pragma once
// The correlate stage. For now each detection becomes an incident, one open incident per
// (rule, group): a later detection for the same rule and group updates it (last_seen,
// event_count, evidence) until a quiet period passes without one. Event time throughout, so a
// replayed capture gives the incidents the live stream gave.
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/bus.hpp"
#include "core/incident.hpp"
#include "core/metrics.hpp"

namespace talaia::storage {
class incident_store;
}

namespace talaia::correlator {

struct correlate_settings {
  std::chrono::milliseconds quiet_period{std::chrono::hours(1)};
  std::size_t max_evidence = 10;
  std::string incidents_topic = "talaia.incidents";
};

// Pure state machine over detections; no I/O.
class correlator {
 public:
  explicit correlator(correlate_settings s) : settings_(std::move(s)) {}

  struct change {
    std::string state_key;
    const core::incident* incident;  // valid until the next call
    bool opened;
    bool duplicate;  // the same event was already counted (redelivery): nothing changed
  };
  change apply(const core::detection& d);

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

struct correlate_metrics {
  core::counter* detections = nullptr;
  core::counter* opened = nullptr;
  core::counter* updated = nullptr;
  core::counter* errors = nullptr;
};

// The stage's message handler: state kept in `store` (when given) so a restart continues the
// open incidents; each change is sent on the incidents topic keyed by incident id.
class correlate_stage {
 public:
  correlate_stage(correlate_settings s, core::producer& out, storage::incident_store* store, correlate_metrics m);
  core::result<void> restore();
  core::result<void> handle(const core::message& m);

 private:
  correlator correlator_;
  correlate_settings settings_;
  core::producer& out_;
  storage::incident_store* store_;
  correlate_metrics metrics_;
  std::uint64_t since_expire_ = 0;
};

}  // namespace talaia::correlator
