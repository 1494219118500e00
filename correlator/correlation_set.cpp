#include "correlator/correlation_set.hpp"

#include <functional>
#include <set>

namespace talaia::correlator {

namespace {

// The key a detection rule is known by (as correlator/detect.cpp's rule_info_of gives it).
std::string detection_key(const rules::rule& r) { return r.id.empty() ? r.title : r.id; }

}  // namespace

std::shared_ptr<const correlation_set> correlation_set::build(std::vector<correlation_rule> correlations,
                                                              const std::vector<rule_name>& names,
                                                              const std::vector<rules::rule>& detection_rules,
                                                              std::vector<rules::diagnostic>& errors) {
  // Every name a reference may use, to the key matches travel under.
  std::map<std::string, std::string> detection_keys;
  for (const auto& r : detection_rules) {
    detection_keys[detection_key(r)] = detection_key(r);
    if (!r.id.empty()) detection_keys[r.id] = detection_key(r);
  }
  for (const auto& n : names) {
    if (n.name.empty()) continue;
    // A named rule that loaded: known by its id, or by its title when it has none.
    const std::string key = !n.id.empty() ? n.id : n.title;
    if (detection_keys.count(key)) detection_keys[n.name] = key;
  }
  std::map<std::string, std::string> correlation_keys;
  for (const auto& c : correlations) {
    correlation_keys[c.key()] = c.key();
    if (!c.id.empty()) correlation_keys[c.id] = c.key();
    if (!c.name.empty()) correlation_keys[c.name] = c.key();
  }
  auto resolve = [&](const std::string& ref) -> std::string {
    if (auto it = detection_keys.find(ref); it != detection_keys.end()) return it->second;
    if (auto it = correlation_keys.find(ref); it != correlation_keys.end()) return it->second;
    return {};
  };

  // Drop correlations with unresolved references (rules::load_paths has reported them, with the
  // rule files), then those in cycles.
  std::vector<bool> keep(correlations.size(), true);
  for (std::size_t i = 0; i < correlations.size(); ++i)
    for (const auto& ref : correlations[i].rules)
      if (resolve(ref).empty()) keep[i] = false;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < correlations.size(); ++i) index[correlations[i].key()] = i;
  std::function<bool(std::size_t, std::set<std::size_t>&)> cyclic = [&](std::size_t i, std::set<std::size_t>& path) {
    if (!path.insert(i).second) return true;
    for (const auto& ref : correlations[i].rules)
      if (auto it = index.find(resolve(ref)); it != index.end() && cyclic(it->second, path)) return true;
    path.erase(i);
    return false;
  };
  for (std::size_t i = 0; i < correlations.size(); ++i) {
    std::set<std::size_t> path;
    if (keep[i] && cyclic(i, path)) {
      errors.push_back({correlations[i].path, correlations[i].line, "correlation '" + correlations[i].title + "' refers to itself through its rules"});
      keep[i] = false;
    }
  }

  auto set = std::make_shared<correlation_set>();
  for (std::size_t i = 0; i < correlations.size(); ++i)
    if (keep[i]) set->correlations_.push_back(std::move(correlations[i]));
  for (std::size_t i = 0; i < set->correlations_.size(); ++i) set->by_key_[set->correlations_[i].key()] = i;
  // A correlation that lost a referenced correlation above is still resolvable by name; feeds
  // into a dropped correlation are simply not made.
  for (std::size_t ci = 0; ci < set->correlations_.size(); ++ci) {
    const auto& c = set->correlations_[ci];
    for (std::uint32_t pos = 0; pos < c.rules.size(); ++pos) {
      const std::string& ref = c.rules[pos];
      const std::string key = resolve(ref);
      if (key.empty()) continue;
      // An alias names, per referenced rule (as written, or by the key it resolves to), the field.
      auto field_for = [&](const std::string& name) {
        auto a = c.aliases.find(name);
        if (a == c.aliases.end()) return name;
        if (auto f = a->second.find(ref); f != a->second.end()) return f->second;
        for (const auto& [other, field] : a->second)
          if (resolve(other) == key) return field;
        return name;
      };
      feed f;
      f.correlation = ci;
      f.position = pos;
      for (const auto& g : c.group_by) f.group_fields.push_back(field_for(g));
      if (!c.field.empty()) f.value_field = field_for(c.field);
      set->feeds_[key].push_back(std::move(f));
      bool& gen = set->generates_.try_emplace(key, false).first->second;
      gen = gen || c.generate;
    }
  }
  return set;
}

const std::vector<feed>* correlation_set::feeds_of(std::string_view key) const {
  auto it = feeds_.find(key);
  return it == feeds_.end() ? nullptr : &it->second;
}

bool correlation_set::generates(std::string_view key) const {
  auto it = generates_.find(key);
  return it == generates_.end() || it->second;
}

const correlation_rule* correlation_set::find(std::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &correlations_[it->second];
}

std::size_t correlation_set::index_of(std::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? SIZE_MAX : it->second;
}

}  // namespace talaia::correlator
