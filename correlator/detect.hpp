#pragma once
// The detect stage: every event against every rule; each match becomes a detection keyed by the
// correlation group it feeds. Stateless, so any number of detect workers can run side by side.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/bus.hpp"
#include "core/event.hpp"
#include "core/event_view.hpp"
#include "core/json.hpp"
#include "core/incident.hpp"
#include "core/metrics.hpp"
#include "correlator/correlation_set.hpp"
#include "rules/rule_set.hpp"
#include "rules/scanner.hpp"

namespace talaia::correlator {

struct detect_settings {
  std::map<std::string, std::vector<std::string>> group_by;  // rule id -> group-by fields
  // Event time is clamped to the receive time +/- this, so one device with a wrong clock cannot
  // move every correlation window (0: no clamping).
  std::int64_t max_clock_skew_micros = 0;
  std::string detections_topic = "talaia.detections";
  std::string dead_letter_topic = "talaia.dead-letter";
};

// When the event happened: `timestamp`, else `end` (flows), else `received`; 0 when none.
std::int64_t event_time(const core::event& ev);
std::int64_t event_time(const core::event_view& ev);

// event_time(ev), clamped to within `max_skew` of the event's `received` time when it has one
// and max_skew > 0; `clamped` says whether it was.
std::int64_t clamped_event_time(const core::event& ev, std::int64_t max_skew, bool& clamped);
std::int64_t clamped_event_time(const core::event_view& ev, std::int64_t max_skew, bool& clamped);

// The group of a detection: for each group-by name, the value of the matching field of the
// event ("" when the event lacks it). `fields` defaults to the names themselves.
core::group_values group_of(const core::event& ev, const std::vector<std::string>& names,
                            const std::vector<std::string>& fields = {});
core::group_values group_of(const core::event_view& ev, const std::vector<std::string>& names,
                            const std::vector<std::string>& fields = {});

// Message key of a detection: whoever correlates this rule and group owns this key.
std::string detection_key(const core::detection& d);

core::rule_info rule_info_of(const rules::rule& r);

class detector {
 public:
  // `correlations` may be null (no correlation rules).
  static core::result<detector> make(std::shared_ptr<const rules::rule_set> set, detect_settings settings,
                                     std::shared_ptr<const correlation_set> correlations = nullptr);
  // Appends a detection for every rule `ev` matches; `event_json` is the event as received.
  // Returns whether the event's time had to be clamped.
  bool detect(const core::event& ev, std::string_view event_json, std::vector<core::detection>& out);
  bool detect(const core::event_view& ev, std::string_view event_json, std::vector<core::detection>& out);
  // Takes back detections done with (and empties `used`): detect() fills them again, reusing
  // their strings' storage instead of allocating a detection's texts anew.
  void recycle(std::vector<core::detection>& used);

 private:
  detector(std::shared_ptr<const rules::rule_set> set, rules::scanner sc, detect_settings s,
           std::shared_ptr<const correlation_set> c)
      : set_(std::move(set)), scanner_(std::move(sc)), settings_(std::move(s)), correlations_(std::move(c)) {
    infos_.reserve(set_->rules().size());
    for (const rules::rule& r : set_->rules()) infos_.push_back(rule_info_of(r));
  }
  std::shared_ptr<const rules::rule_set> set_;
  rules::scanner scanner_;
  detect_settings settings_;
  std::shared_ptr<const correlation_set> correlations_;
  std::vector<core::rule_info> infos_;  // per rule of set_
  std::vector<std::size_t> matched_;
  std::vector<core::detection> spare_;  // recycled detections
  core::event_view view_;  // detect(const event&): its fields as views
};

struct detect_metrics {
  core::counter* events = nullptr;
  core::counter* detections = nullptr;
  core::counter* dead_letters = nullptr;
  core::counter* clamped = nullptr;
};

// The stage's message handler: decodes an event (a message that is not a JSON object goes to
// the dead-letter topic with the reason), detects, sends each detection.
class detect_stage {
 public:
  detect_stage(detector d, core::producer& out, detect_settings settings, detect_metrics metrics)
      : detector_(std::move(d)), out_(out), settings_(std::move(settings)), metrics_(metrics) {}
  core::result<void> handle(const core::message& m);
  // A reloaded rule set: the next message is matched against it.
  void replace(detector d) { detector_ = std::move(d); }

 private:
  detector detector_;
  core::producer& out_;
  detect_settings settings_;
  detect_metrics metrics_;
  std::vector<core::detection> found_;
  core::json_decoder decoder_;
  core::event_view event_;  // the message being handled, as views into decoder_
};

}  // namespace talaia::correlator
