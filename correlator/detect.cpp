#include "correlator/detect.hpp"

#include "core/json.hpp"

namespace talaia::correlator {

std::int64_t event_time(const core::event& ev) {
  for (const char* name : {"timestamp", "end", "received"})
    if (const auto* f = ev.find(name); f && f->type == core::field_type::time) return f->number;
  return 0;
}

core::group_values group_of(const core::event& ev, const std::vector<std::string>& fields) {
  core::group_values g;
  for (const auto& name : fields) g.emplace_back(name, std::string(ev.text(name)));
  return g;
}

std::string detection_key(const core::detection& d) { return d.rule.id + '\x1e' + core::group_key(d.group); }

core::rule_info rule_info_of(const rules::rule& r) {
  return core::rule_info{r.id.empty() ? r.title : r.id, r.title, r.level, r.author, r.tags};
}

core::result<detector> detector::make(std::shared_ptr<const rules::rule_set> set, detect_settings settings) {
  auto sc = rules::scanner::make(set);
  if (!sc) return sc.err();
  return detector(std::move(set), std::move(*sc), std::move(settings));
}

void detector::detect(const core::event& ev, std::string_view event_json, std::vector<core::detection>& out) {
  matched_.clear();
  scanner_.match(ev, matched_);
  for (std::size_t index : matched_) {
    const rules::rule& r = set_->rules()[index];
    core::detection d;
    d.rule = rule_info_of(r);
    if (auto it = settings_.group_by.find(d.rule.id); it != settings_.group_by.end()) d.group = group_of(ev, it->second);
    d.time = event_time(ev);
    d.event_json.assign(event_json);
    out.push_back(std::move(d));
  }
}

core::result<void> detect_stage::handle(const core::message& m) {
  auto ev = core::decode_event(m.value);
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
  found_.clear();
  detector_.detect(*ev, m.value, found_);
  for (auto& d : found_) {
    if (metrics_.detections) metrics_.detections->add();
    if (auto r = out_.send(settings_.detections_topic, detection_key(d), core::encode_detection(d)); !r) return r;
  }
  return {};
}

}  // namespace talaia::correlator
