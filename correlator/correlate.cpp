#include "correlator/correlate.hpp"

#include "core/json.hpp"
#include "core/log.hpp"
#include "correlator/detect.hpp"
#include "storage/incident_store.hpp"

namespace talaia::correlator {

namespace {

// The `id` field of an event's JSON text, for de-duplicating redelivered evidence.
std::string event_id_of(const std::string& event_json) { return core::string_field(event_json, "id"); }

constexpr int max_chain_depth = 8;

}  // namespace

incident_tracker::change incident_tracker::record(const core::rule_info& rule, const core::group_values& group,
                                                  std::int64_t time, const std::vector<std::string>& events,
                                                  std::uint64_t count) {
  std::string key = rule.id + '\x1e' + core::group_key(group);
  max_time_ = std::max(max_time_, time);
  const auto quiet = std::chrono::duration_cast<std::chrono::microseconds>(settings_.quiet_period).count();
  auto it = open_.find(key);
  // A match joins the open incident when it falls within the quiet period of it, on either
  // side: late events still count, events from long before open their own incident.
  if (it != open_.end() && time <= it->second.last_seen + quiet && time >= it->second.first_seen - quiet) {
    core::incident& inc = it->second;
    if (count == 1 && events.size() == 1) {
      const std::string id = event_id_of(events[0]);
      if (!id.empty())
        for (const auto& e : inc.events)
          if (event_id_of(e) == id) return change{key, &inc, false, true};
    }
    inc.rule = rule;  // the rule may have been edited and reloaded
    inc.last_seen = std::max(inc.last_seen, time);
    inc.event_count += count;
    for (const auto& e : events) {
      if (inc.events.size() >= settings_.max_evidence) break;
      inc.events.push_back(e);
    }
    return change{key, &inc, false, false};
  }
  core::incident inc;
  inc.id = core::incident_id(rule.id, group, time);
  inc.rule = rule;
  inc.first_seen = inc.last_seen = time;
  inc.event_count = count;
  inc.group = group;
  for (const auto& e : events) {
    if (inc.events.size() >= settings_.max_evidence) break;
    inc.events.push_back(e);
  }
  auto& slot = open_[key];
  slot = std::move(inc);
  return change{key, &slot, true, false};
}

std::vector<std::string> incident_tracker::expire(std::int64_t now) {
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

void incident_tracker::restore(const std::string& state_key, core::incident inc) {
  max_time_ = std::max(max_time_, inc.last_seen);
  open_[state_key] = std::move(inc);
}

correlator::correlator(correlate_settings s, std::shared_ptr<const correlation_set> correlations)
    : settings_(std::move(s)),
      correlations_(correlations ? std::move(correlations) : std::make_shared<correlation_set>()),
      tracker_(settings_),
      engine_(correlations_, [&] {
        engine_settings e = settings_.engine;
        e.max_evidence = settings_.max_evidence;
        return e;
      }()) {}

void correlator::fired(const firing& f, int depth, std::vector<change>& out) {
  const correlation_rule& c = *f.rule;
  const std::string key = c.key();
  if (correlations_->generates(key)) {
    core::rule_info info{key, c.title, c.level, c.author, c.tags, c.references};
    auto ch = tracker_.record(info, f.group, f.time, f.events, f.count);
    if (!ch.duplicate) out.push_back(ch);
  }
  // Correlations over this correlation: its firing is their detection. (Only whole firings:
  // updates during suppression add to the incident but are no new firing.)
  const auto* feeds = correlations_->feeds_of(key);
  if (!feeds || f.update_only || depth >= max_chain_depth) return;
  core::event ev;
  ev.set_string("kind", "correlation");
  ev.set_string("rule_id", key);
  for (const auto& [name, value] : f.group) ev.set_string(name, value);
  ev.set_integer("count", static_cast<std::int64_t>(f.count));
  ev.set_time("timestamp", f.time);
  const std::string ev_json = core::encode_event(ev);
  for (const auto& feed : *feeds) {
    const correlation_rule& outer = correlations_->correlations()[feed.correlation];
    core::detection d;
    d.rule = {key, c.title, c.level, c.author, c.tags, c.references};
    d.correlation = outer.key();
    d.position = feed.position;
    d.group = group_of(ev, outer.group_by, feed.group_fields);
    d.value = std::string(ev.text(feed.value_field));
    d.time = f.time;
    d.event_json = ev_json;
    std::vector<firing> more;
    engine_.apply(d, more);
    for (const auto& m : more) fired(m, depth + 1, out);
  }
}

void correlator::apply(const core::detection& d, std::vector<change>& out) {
  if (d.correlation.empty()) {
    auto ch = tracker_.record(d.rule, d.group, d.time, {d.event_json}, 1);
    if (!ch.duplicate) out.push_back(ch);
    return;
  }
  std::vector<firing> firings;
  engine_.apply(d, firings);
  for (const auto& f : firings) fired(f, 0, out);
}

void correlator::finish(std::int64_t time, std::vector<change>& out) {
  std::vector<firing> firings;
  engine_.close_windows(time, firings);
  for (const auto& f : firings) fired(f, 0, out);
}

correlate_stage::correlate_stage(correlate_settings s, std::shared_ptr<const correlation_set> correlations,
                                 core::producer& out, storage::incident_store* store, correlate_metrics m)
    : correlator_(s, std::move(correlations)), settings_(std::move(s)), out_(out), store_(store), metrics_(m) {}

core::result<void> correlate_stage::restore() {
  if (!store_) return {};
  std::size_t n = 0;
  auto r = store_->for_each_state([&](const std::string& key, core::incident inc) {
    correlator_.tracker().restore(key, std::move(inc));
    ++n;
  });
  if (!r) return r;
  std::size_t windows = 0;
  r = store_->for_each_window([&](const std::string& key, const std::string& json) {
    correlator_.engine().load(key, json);
    ++windows;
  });
  if (r)
    core::log_info("correlate", "open_incidents=" + std::to_string(n) + " windows=" + std::to_string(windows) +
                                    " correlation state restored");
  return r;
}

void correlate_stage::replace_correlations(std::shared_ptr<const correlation_set> correlations) {
  const auto windows = correlator_.engine().save();
  const auto open = correlator_.tracker().open_incidents();
  correlator_ = correlator(settings_, std::move(correlations));
  for (const auto& [key, inc] : open) correlator_.tracker().restore(key, inc);
  for (const auto& [key, json] : windows) correlator_.engine().load(key, json);
}

core::result<void> correlate_stage::save_windows() {
  if (!store_) return {};
  auto windows = correlator_.engine().save();
  auto r = store_->replace_windows(windows);
  if (r) core::log_info("correlate", "windows=" + std::to_string(windows.size()) + " correlation windows saved");
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
  changes_.clear();
  correlator_.apply(*d, changes_);
  for (const auto& c : changes_) {
    if (metrics_.opened && c.opened) metrics_.opened->add();
    if (metrics_.updated && !c.opened) metrics_.updated->add();
    if (store_) {
      if (auto r = store_->put_state(c.state_key, *c.incident); !r) return r;
    }
    if (auto r = out_.send(settings_.incidents_topic, c.incident->id, core::encode_incident(*c.incident)); !r) return r;
  }
  if (++since_expire_ >= 10000) {
    since_expire_ = 0;
    for (const auto& key : correlator_.tracker().expire(correlator_.tracker().max_time()))
      if (store_)
        if (auto r = store_->delete_state(key); !r) return r;
  }
  return {};
}

}  // namespace talaia::correlator
