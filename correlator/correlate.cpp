#include "correlator/correlate.hpp"

#include "core/json.hpp"
#include "core/log.hpp"
#include "storage/incident_store.hpp"

namespace talaia::correlator {

namespace {

// The `id` field of an event's JSON text, for de-duplicating redelivered evidence.
std::string event_id_of(const std::string& event_json) {
  auto ev = core::decode_event(event_json);
  return ev ? std::string(ev->text("id")) : std::string();
}

}  // namespace

correlator::change correlator::apply(const core::detection& d) {
  std::string key = d.rule.id + '\x1e' + core::group_key(d.group);
  max_time_ = std::max(max_time_, d.time);
  const auto quiet = std::chrono::duration_cast<std::chrono::microseconds>(settings_.quiet_period).count();
  auto it = open_.find(key);
  // A detection joins the open incident when it falls within the quiet period of it, on either
  // side: late events still count, events from long before open their own incident.
  if (it != open_.end() && d.time <= it->second.last_seen + quiet && d.time >= it->second.first_seen - quiet) {
    core::incident& inc = it->second;
    const std::string id = event_id_of(d.event_json);
    if (!id.empty())
      for (const auto& e : inc.events)
        if (event_id_of(e) == id) return change{key, &inc, false, true};
    inc.rule = d.rule;  // the rule may have been edited and reloaded
    inc.last_seen = std::max(inc.last_seen, d.time);
    inc.event_count += 1;
    if (inc.events.size() < settings_.max_evidence) inc.events.push_back(d.event_json);
    return change{key, &inc, false, false};
  }
  core::incident inc;
  inc.id = core::incident_id(d.rule.id, d.group, d.time);
  inc.rule = d.rule;
  inc.first_seen = inc.last_seen = d.time;
  inc.event_count = 1;
  inc.group = d.group;
  if (settings_.max_evidence > 0) inc.events.push_back(d.event_json);
  auto& slot = open_[key];
  slot = std::move(inc);
  return change{key, &slot, true, false};
}

std::vector<std::string> correlator::expire(std::int64_t now) {
  const auto quiet = std::chrono::duration_cast<std::chrono::microseconds>(settings_.quiet_period).count();
  std::vector<std::string> gone;
  for (auto it = open_.begin(); it != open_.end();) {
    if (now - it->second.last_seen > quiet) {
      gone.push_back(it->first);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

void correlator::restore(const std::string& state_key, core::incident inc) {
  max_time_ = std::max(max_time_, inc.last_seen);
  open_[state_key] = std::move(inc);
}

correlate_stage::correlate_stage(correlate_settings s, core::producer& out, storage::incident_store* store,
                                 correlate_metrics m)
    : correlator_(s), settings_(std::move(s)), out_(out), store_(store), metrics_(m) {}

core::result<void> correlate_stage::restore() {
  if (!store_) return {};
  std::size_t n = 0;
  auto r = store_->for_each_state([&](const std::string& key, core::incident inc) {
    correlator_.restore(key, std::move(inc));
    ++n;
  });
  if (r) core::log_info("correlate", "open_incidents=" + std::to_string(n) + " correlation state restored");
  return r;
}

core::result<void> correlate_stage::handle(const core::message& m) {
  auto d = core::decode_detection(m.value);
  if (!d) {
    if (metrics_.errors) metrics_.errors->add();
    core::log_warn("correlate", "error=\"" + d.err().message + "\" detection skipped");
    return {};
  }
  if (metrics_.detections) metrics_.detections->add();
  auto c = correlator_.apply(*d);
  if (c.duplicate) return {};
  if (metrics_.opened && c.opened) metrics_.opened->add();
  if (metrics_.updated && !c.opened) metrics_.updated->add();
  if (store_) {
    if (auto r = store_->put_state(c.state_key, *c.incident); !r) return r;
  }
  if (auto r = out_.send(settings_.incidents_topic, c.incident->id, core::encode_incident(*c.incident)); !r) return r;
  if (++since_expire_ >= 10000) {
    since_expire_ = 0;
    for (const auto& key : correlator_.expire(correlator_.max_time()))
      if (store_)
        if (auto r = store_->delete_state(key); !r) return r;
  }
  return {};
}

}  // namespace talaia::correlator
