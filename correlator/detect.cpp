#include "correlator/detect.hpp"

#include <algorithm>

#include "core/json.hpp"

namespace talaia::correlator {

namespace {

// One body for events and event views (both have find() and text()).
template <typename Event>
std::int64_t time_of(const Event& ev) {
  for (const char* name : {"timestamp", "end", "received"})
    if (const auto* f = ev.find(name); f && f->type == core::field_type::time) return f->number;
  return 0;
}

template <typename Event>
std::int64_t clamped_time_of(const Event& ev, std::int64_t max_skew, bool& clamped) {
  const std::int64_t t = time_of(ev);
  clamped = false;
  const auto* received = ev.find("received");
  if (max_skew <= 0 || !received || received->type != core::field_type::time) return t;
  const std::int64_t low = received->number - max_skew, high = received->number + max_skew;
  clamped = t < low || t > high;
  return std::clamp(t, low, high);
}

// Into `g`, reusing its strings.
template <typename Event>
void fill_group(const Event& ev, const std::vector<std::string>& names, const std::vector<std::string>& fields,
                core::group_values& g) {
  g.resize(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    g[i].first.assign(names[i]);
    g[i].second.assign(ev.text(i < fields.size() ? fields[i] : names[i]));
  }
}

template <typename Event>
core::group_values group_values_of(const Event& ev, const std::vector<std::string>& names,
                                   const std::vector<std::string>& fields) {
  core::group_values g;
  fill_group(ev, names, fields, g);
  return g;
}

// The next detection appended to `out`: a spare one when there is one (every field is then
// assigned by the caller).
core::detection& next_detection(std::vector<core::detection>& spare, std::vector<core::detection>& out) {
  if (spare.empty()) return out.emplace_back();
  out.push_back(std::move(spare.back()));
  spare.pop_back();
  return out.back();
}

}  // namespace

std::int64_t event_time(const core::event& ev) { return time_of(ev); }
std::int64_t event_time(const core::event_view& ev) { return time_of(ev); }

std::int64_t clamped_event_time(const core::event& ev, std::int64_t max_skew, bool& clamped) {
  return clamped_time_of(ev, max_skew, clamped);
}
std::int64_t clamped_event_time(const core::event_view& ev, std::int64_t max_skew, bool& clamped) {
  return clamped_time_of(ev, max_skew, clamped);
}

core::group_values group_of(const core::event& ev, const std::vector<std::string>& names,
                            const std::vector<std::string>& fields) {
  return group_values_of(ev, names, fields);
}
core::group_values group_of(const core::event_view& ev, const std::vector<std::string>& names,
                            const std::vector<std::string>& fields) {
  return group_values_of(ev, names, fields);
}

std::string detection_key(const core::detection& d) {
  return (d.correlation.empty() ? d.rule.id : d.correlation) + '\x1e' + core::group_key(d.group);
}

core::rule_info rule_info_of(const rules::rule& r) {
  return core::rule_info{r.id.empty() ? r.title : r.id, r.title, r.level, r.author, r.tags, r.references};
}

core::result<detector> detector::make(std::shared_ptr<const rules::rule_set> set, detect_settings settings,
                                      std::shared_ptr<const correlation_set> correlations) {
  auto sc = rules::scanner::make(set);
  if (!sc) return sc.err();
  return detector(std::move(set), std::move(*sc), std::move(settings), std::move(correlations));
}

bool detector::detect(const core::event& ev, std::string_view event_json, std::vector<core::detection>& out) {
  view_.assign(ev);
  return detect(view_, event_json, out);
}

void detector::recycle(std::vector<core::detection>& used) {
  for (core::detection& d : used) spare_.push_back(std::move(d));
  used.clear();
}

bool detector::detect(const core::event_view& ev, std::string_view event_json, std::vector<core::detection>& out) {
  matched_.clear();
  scanner_.match(ev, matched_);
  bool clamped = false;
  const std::int64_t time = clamped_event_time(ev, settings_.max_clock_skew_micros, clamped);
  for (std::size_t index : matched_) {
    const core::rule_info& rule = infos_[index];
    // Its own incident, unless only correlations use it (Sigma's `generate: false`).
    if (!correlations_ || correlations_->generates(rule.id)) {
      core::detection& d = next_detection(spare_, out);
      d.rule = rule;
      if (auto it = settings_.group_by.find(rule.id); it != settings_.group_by.end())
        fill_group(ev, it->second, {}, d.group);
      else
        d.group.clear();
      d.time = time;
      d.event_json.assign(event_json);
      d.correlation.clear();
      d.position = 0;
      d.value.clear();
    }
    if (!correlations_) continue;
    if (const auto* feeds = correlations_->feeds_of(rule.id)) {
      for (const auto& f : *feeds) {
        const correlation_rule& c = correlations_->correlations()[f.correlation];
        core::detection& d = next_detection(spare_, out);
        d.rule = rule;
        d.correlation.assign(c.key());
        d.position = f.position;
        fill_group(ev, c.group_by, f.group_fields, d.group);
        d.value.assign(f.value_field.empty() ? std::string_view() : ev.text(f.value_field));
        d.time = time;
        d.event_json.assign(event_json);
      }
    }
  }
  return clamped;
}

core::result<void> detect_stage::handle(const core::message& m) {
  auto ev = decoder_.decode(m.value, event_);
  if (!ev) {
    std::string dead = "{\"reason\":";
    core::append_json_string(dead, ev.err().message);
    dead += ",\"topic\":";
    core::append_json_string(dead, m.topic);
    dead += ",\"value\":";
    core::append_json_string(dead, m.value);
    dead += '}';
    if (metrics_.dead_letters) metrics_.dead_letters->add();
    return out_.send(settings_.dead_letter_topic, m.key, std::move(dead));
  }
  if (metrics_.events) metrics_.events->add();
  detector_.recycle(found_);
  if (detector_.detect(event_, m.value, found_) && metrics_.clamped) metrics_.clamped->add();
  for (auto& d : found_) {
    if (metrics_.detections) metrics_.detections->add();
    if (auto r = out_.send(settings_.detections_topic, detection_key(d), core::encode_detection(d)); !r) return r;
  }
  return {};
}

}  // namespace talaia::correlator
