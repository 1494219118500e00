#include "correlator/correlation_engine.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "core/json.hpp"
#include <charconv>
#include <unordered_set>

namespace talaia::correlator {

namespace {

std::int64_t number_of(const std::string& text) {
  std::int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// temporal_ordered: can one detection of each position be picked, in position order, with
// non-decreasing times, all within the window? Greedy: the earliest possible pick each step.
// `items` have `time` and `position`.
template <typename Items>
bool in_order(const Items& items, std::uint32_t positions) {
  std::int64_t after = INT64_MIN;
  for (std::uint32_t p = 0; p < positions; ++p) {
    bool found = false;
    for (const auto& item : items)
      if (item.position == p && item.time >= after) {
        after = item.time;
        found = true;
        break;
      }
    if (!found) return false;
  }
  return true;
}

void tally(std::uint64_t& own, core::counter* metric) {
  ++own;
  if (metric) metric->add();
}

}  // namespace

void correlation_engine::touch(const std::string& key, group_state& g, std::int64_t time) {
  if (lru_.size() < set_->correlations().size()) lru_.resize(set_->correlations().size());
  dirty_.insert(key);
  auto& lru = lru_[g.correlation];
  const std::int64_t updated = std::max(g.last_update, time);
  // The group's entry moves to its new time in the node it has (no copy of the key).
  if (auto it = lru.find(std::pair<std::int64_t, std::string_view>(g.last_update, key)); it != lru.end()) {
    auto node = lru.extract(it);
    node.value().first = updated;
    lru.insert(std::move(node));
  } else {
    lru.insert({updated, key});
  }
  g.last_update = updated;
}

void correlation_engine::erase_group(const std::string& key) {
  auto it = groups_.find(key);
  if (it == groups_.end()) return;
  dirty_.insert(key);
  if (it->second.correlation < lru_.size()) lru_[it->second.correlation].erase({it->second.last_update, key});
  groups_.erase(it);
}

void correlation_engine::evict_if_full(std::size_t correlation, const std::string& keep) {
  if (correlation >= lru_.size()) return;
  auto& lru = lru_[correlation];
  while (lru.size() > settings_.max_groups_per_rule) {
    auto victim = lru.begin()->second;
    if (victim == keep) victim = std::next(lru.begin())->second;
    erase_group(victim);
    tally(counters_.evicted, settings_.metrics.evicted);
  }
}

firing correlation_engine::make_firing(const group_state& g, std::int64_t time, std::uint64_t count) const {
  firing f;
  f.rule = &set_->correlations()[g.correlation];
  f.group = g.group;
  f.time = time;
  f.count = count;
  for (const auto& e : g.window) {
    if (f.events.size() >= settings_.max_evidence) break;
    f.events.push_back(e.event_json);
  }
  return f;
}

void correlation_engine::apply(const core::detection& d, std::vector<firing>& out) {
  const std::size_t ci = set_->index_of(d.correlation);
  if (ci == SIZE_MAX) return;
  const correlation_rule& rule = set_->correlations()[ci];
  for (const auto& [field, value] : d.group)
    if (value.empty()) {
      tally(counters_.missing_group_field, settings_.metrics.missing_group_field);
      return;
    }
  if (d.time < watermark()) {
    tally(counters_.late, settings_.metrics.late);
    return;
  }
  max_time_ = std::max(max_time_, d.time);

  std::string key;
  key.reserve(d.correlation.size() + 1 + core::group_key_size(d.group));
  key.append(d.correlation).append(1, '\x1e');
  core::append_group_key(key, d.group);
  auto [it, created] = groups_.try_emplace(key);
  group_state& g = it->second;
  if (created) {
    g.correlation = ci;
    g.group = d.group;
  }
  touch(key, g, d.time);
  if (created) evict_if_full(ci, key);

  const bool at_close = rule.condition.decided_at_window_close() && rule.type != correlation_type::temporal &&
                        rule.type != correlation_type::temporal_ordered;
  if (!at_close && d.time <= g.suppressed_until) {
    // Fired already within the timespan: this detection only adds to the open incident.
    firing f;
    f.rule = &rule;
    f.group = g.group;
    f.time = d.time;
    f.count = 1;
    f.events.push_back(d.event_json);
    f.update_only = true;
    out.push_back(std::move(f));
  } else {
    // Insert in time order: late-but-allowed detections land where they belong.
    auto at = std::upper_bound(g.window.begin(), g.window.end(), d.time,
                               [](std::int64_t t, const entry& x) { return t < x.time; });
    g.window.insert(at, entry{d.time, d.position, d.value, d.event_json});
    if (!at_close) {
      evaluate(g, d.time, out);
    } else if (g.window_start == INT64_MIN) {
      g.window_start = d.time;
      closing_.emplace(d.time + rule.timespan_micros, key);
    }
  }
  close_windows(watermark(), out);
}

void correlation_engine::evaluate(group_state& g, std::int64_t now, std::vector<firing>& out) {
  const correlation_rule& rule = set_->correlations()[g.correlation];
  const std::int64_t from = now - rule.timespan_micros;
  while (!g.window.empty() && g.window.front().time < from) g.window.pop_front();
  bool holds = false;
  std::uint64_t count = g.window.size();
  switch (rule.type) {
    case correlation_type::event_count:
      holds = rule.condition.holds(static_cast<std::int64_t>(count));
      break;
    case correlation_type::value_count: {
      std::unordered_set<std::string_view> distinct;
      for (const auto& e : g.window)
        if (!e.value.empty()) distinct.insert(e.value);
      holds = rule.condition.holds(static_cast<std::int64_t>(distinct.size()));
      break;
    }
    case correlation_type::value_sum: {
      std::int64_t sum = 0;
      for (const auto& e : g.window) sum += number_of(e.value);
      holds = rule.condition.holds(sum);
      break;
    }
    case correlation_type::temporal: {
      std::vector<bool> seen(rule.rules.size(), false);
      for (const auto& e : g.window)
        if (e.position < seen.size()) seen[e.position] = true;
      holds = std::all_of(seen.begin(), seen.end(), [](bool b) { return b; });
      break;
    }
    case correlation_type::temporal_ordered:
      holds = in_order(g.window, static_cast<std::uint32_t>(rule.rules.size()));
      break;
  }
  if (!holds) return;
  out.push_back(make_firing(g, now, count));
  tally(counters_.fired, settings_.metrics.fired);
  g.suppressed_until = now + rule.timespan_micros;
  if (rule.type == correlation_type::temporal || rule.type == correlation_type::temporal_ordered) g.window.clear();
}

void correlation_engine::close_windows(std::int64_t watermark, std::vector<firing>& out) {
  while (!closing_.empty() && closing_.begin()->first < watermark) {
    const std::int64_t end = closing_.begin()->first;
    const std::string key = closing_.begin()->second;
    closing_.erase(closing_.begin());
    auto it = groups_.find(key);
    if (it == groups_.end()) continue;
    dirty_.insert(key);
    group_state& g = it->second;
    const correlation_rule& rule = set_->correlations()[g.correlation];
    // The window [start, end]: what arrived for the group within it. Later detections open the
    // group's next window.
    std::deque<entry> inside, after;
    for (auto& e : g.window) (e.time <= end ? inside : after).push_back(std::move(e));
    std::int64_t n = 0;
    if (rule.type == correlation_type::value_count) {
      std::unordered_set<std::string> distinct;
      for (const auto& e : inside)
        if (!e.value.empty()) distinct.insert(e.value);
      n = static_cast<std::int64_t>(distinct.size());
    } else if (rule.type == correlation_type::value_sum) {
      for (const auto& e : inside) n += number_of(e.value);
    } else {
      n = static_cast<std::int64_t>(inside.size());
    }
    g.window = std::move(inside);
    if (rule.condition.holds(n)) {
      out.push_back(make_firing(g, end, g.window.size()));
      tally(counters_.fired, settings_.metrics.fired);
    }
    if (after.empty()) {
      erase_group(key);
      continue;
    }
    g.window = std::move(after);
    g.window_start = g.window.front().time;
    closing_.emplace(g.window_start + rule.timespan_micros, key);
  }
}

// Written by hand (not through boost::json values): it runs for every changed group after every
// batch of the Kafka stage. load() reads it back with boost::json.
std::string correlation_engine::group_json(const group_state& g) const {
  std::string out = "{\"correlation\":";
  core::append_json_string(out, set_->correlations()[g.correlation].key());
  out += ",\"group\":[";
  for (std::size_t i = 0; i < g.group.size(); ++i) {
    out += i ? ",[" : "[";
    core::append_json_string(out, g.group[i].first);
    out += ',';
    core::append_json_string(out, g.group[i].second);
    out += ']';
  }
  out += "],\"suppressed_until\":" + std::to_string(g.suppressed_until);
  out += ",\"window_start\":" + std::to_string(g.window_start);
  out += ",\"last_update\":" + std::to_string(g.last_update);
  out += ",\"window\":[";
  for (std::size_t i = 0; i < g.window.size(); ++i) {
    const entry& e = g.window[i];
    out += i ? ",[" : "[";
    out += std::to_string(e.time);
    out += ',';
    out += std::to_string(e.position);
    out += ',';
    core::append_json_string(out, e.value);
    out += ',';
    core::append_json_string(out, e.event_json);
    out += ']';
  }
  out += "]}";
  return out;
}

std::vector<std::pair<std::string, std::string>> correlation_engine::save() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(groups_.size());
  for (const auto& [key, g] : groups_) out.emplace_back(key, group_json(g));
  return out;
}

std::vector<std::string> correlation_engine::take_dirty() {
  std::vector<std::string> keys(dirty_.begin(), dirty_.end());
  dirty_.clear();
  return keys;
}

std::optional<std::string> correlation_engine::window_json(const std::string& key) const {
  auto it = groups_.find(key);
  if (it == groups_.end()) return std::nullopt;
  return group_json(it->second);
}

void correlation_engine::load(const std::string& key, std::string_view text) {
  namespace json = boost::json;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return;
  const json::object& o = v.get_object();
  const auto* c = o.if_contains("correlation");
  const std::size_t ci = c && c->is_string() ? set_->index_of(c->get_string()) : SIZE_MAX;
  if (ci == SIZE_MAX) return;
  auto int_of = [&](std::string_view name, std::int64_t fallback) {
    const auto* x = o.if_contains(name);
    return x && x->is_int64() ? x->get_int64() : fallback;
  };
  group_state g;
  g.correlation = ci;
  if (const auto* group = o.if_contains("group"); group && group->is_array())
    for (const auto& pair : group->get_array())
      if (pair.is_array() && pair.get_array().size() == 2 && pair.get_array()[0].is_string() && pair.get_array()[1].is_string())
        g.group.emplace_back(std::string(pair.get_array()[0].get_string()), std::string(pair.get_array()[1].get_string()));
  g.suppressed_until = int_of("suppressed_until", INT64_MIN);
  g.window_start = int_of("window_start", INT64_MIN);
  if (const auto* window = o.if_contains("window"); window && window->is_array())
    for (const auto& e : window->get_array()) {
      if (!e.is_array() || e.get_array().size() != 4) continue;
      const auto& a = e.get_array();
      if (!a[0].is_int64() || !a[1].is_number() || !a[2].is_string() || !a[3].is_string()) continue;
      g.window.push_back(entry{a[0].get_int64(), a[1].to_number<std::uint32_t>(), std::string(a[2].get_string()),
                               std::string(a[3].get_string())});
    }
  const std::int64_t last = int_of("last_update", 0);
  max_time_ = std::max(max_time_, last);
  if (g.window_start != INT64_MIN) closing_.emplace(g.window_start + set_->correlations()[ci].timespan_micros, key);
  auto& slot = groups_[key];
  // A group already here (state loaded twice) leaves the recency order before it is replaced:
  // an entry left behind would name a group that eviction can no longer find.
  if (slot.correlation < lru_.size()) lru_[slot.correlation].erase({slot.last_update, key});
  slot = std::move(g);
  touch(key, slot, last);
  dirty_.erase(key);  // as saved: nothing to write back
}

}  // namespace talaia::correlator
