#include "correlator/partitioned_correlate.hpp"

#include "core/log.hpp"

namespace talaia::correlator {

namespace {

constexpr std::string_view incident_prefix = "i\x1f";
constexpr std::string_view window_prefix = "w\x1f";
constexpr std::uint64_t expire_every = 10000;  // detections per partition between expiry sweeps

}  // namespace

partitioned_correlate::partitioned_correlate(correlate_settings s, std::shared_ptr<const correlation_set> correlations,
                                             correlate_metrics m)
    : settings_(std::move(s)), correlations_(std::move(correlations)), metrics_(m) {}

partitioned_correlate::part partitioned_correlate::make_part(const state_records& saved) const {
  part p{correlator(settings_, correlations_), {}, {}, 0};
  for (const auto& [key, value] : saved) {
    std::string_view k = key;
    if (k.starts_with(incident_prefix)) {
      if (auto inc = core::decode_incident(value)) p.c.tracker().restore(std::string(k.substr(2)), std::move(*inc));
    } else if (k.starts_with(window_prefix)) {
      p.c.engine().load(std::string(k.substr(2)), value);
    }
  }
  p.c.engine().take_dirty();  // loaded as saved
  return p;
}

void partitioned_correlate::assign(std::int32_t partition, const state_records& saved) {
  parts_.insert_or_assign(partition, make_part(saved));
}

void partitioned_correlate::revoke(std::int32_t partition) { parts_.erase(partition); }

void partitioned_correlate::handle(const core::message& m, std::vector<std::pair<std::string, std::string>>& incidents) {
  auto it = parts_.find(m.partition);
  if (it == parts_.end()) it = parts_.emplace(m.partition, make_part({})).first;  // assigned without a callback
  part& p = it->second;
  auto d = core::decode_detection(m.value);
  if (!d) {
    if (metrics_.errors) metrics_.errors->add();
    core::log_warn("correlate", "partition=" + std::to_string(m.partition) + " offset=" + std::to_string(m.offset) +
                                    " error=\"" + d.err().message + "\" detection skipped");
    return;
  }
  if (metrics_.detections) metrics_.detections->add();
  changes_.clear();
  p.c.apply(*d, changes_);
  for (const auto& c : changes_) {
    if (metrics_.opened && c.opened) metrics_.opened->add();
    if (metrics_.updated && !c.opened) metrics_.updated->add();
    p.dirty_incidents.insert(c.state_key);
    std::string json = core::encode_incident(*c.incident);
    p.encoded.insert_or_assign(c.state_key, json);  // its state record, unless it changes again
    incidents.emplace_back(c.incident->id, std::move(json));
  }
  if (++p.since_expire >= expire_every) {
    p.since_expire = 0;
    for (auto& key : p.c.tracker().expire(p.c.tracker().max_time())) p.dirty_incidents.insert(std::move(key));
  }
}

state_changes partitioned_correlate::take_changes(std::int32_t partition) {
  state_changes out;
  auto it = parts_.find(partition);
  if (it == parts_.end()) return out;
  part& p = it->second;
  const auto& open = p.c.tracker().open_incidents();
  for (const auto& key : p.dirty_incidents) {
    auto inc = open.find(key);
    std::optional<std::string> value;
    if (inc != open.end()) {
      auto done = p.encoded.find(key);
      value = done != p.encoded.end() ? std::move(done->second) : core::encode_incident(inc->second);
    }
    out.emplace_back(std::string(incident_prefix) + key, std::move(value));
  }
  p.dirty_incidents.clear();
  p.encoded.clear();
  for (const auto& key : p.c.engine().take_dirty())
    out.emplace_back(std::string(window_prefix) + key, p.c.engine().window_json(key));
  return out;
}

state_records partitioned_correlate::records_of(part& p) const {
  state_records out;
  for (const auto& [key, inc] : p.c.tracker().open_incidents())
    out.emplace_back(std::string(incident_prefix) + key, core::encode_incident(inc));
  for (auto& [key, json] : p.c.engine().save()) out.emplace_back(std::string(window_prefix) + key, std::move(json));
  return out;
}

void partitioned_correlate::replace_correlations(std::shared_ptr<const correlation_set> correlations) {
  correlations_ = std::move(correlations);
  for (auto& [partition, p] : parts_) {
    // Every window the old rules had is written again after the swap, or deleted when the new
    // rules no longer load it (window_json() gives nothing for it then).
    std::vector<std::string> windows = p.c.engine().take_dirty();
    for (const auto& [key, json] : p.c.engine().save()) windows.push_back(key);
    part fresh = make_part(records_of(p));
    fresh.dirty_incidents = std::move(p.dirty_incidents);
    fresh.encoded = std::move(p.encoded);
    fresh.since_expire = p.since_expire;
    p = std::move(fresh);
    for (const auto& key : windows) p.c.engine().mark_dirty(key);
  }
}

}  // namespace talaia::correlator
