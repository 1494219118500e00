#include "rules/routing.hpp"

#include <strings.h>

#include "rules/modifiers.hpp"

namespace talaia::rules {
namespace {

bool key_covers(const std::string& wanted, const std::string& have) {
  return wanted.empty() || strcasecmp(wanted.c_str(), have.c_str()) == 0;
}

// Appends `extra` (a condition over `extra_searches`, to be appended after `d`'s searches) and
// makes the root `old root and extra root`.
void and_condition(detection& d, const condition& extra, std::vector<search> extra_searches) {
  const auto search_offset = static_cast<std::uint32_t>(d.searches.size());
  for (search& s : extra_searches) d.searches.push_back(std::move(s));
  if (d.cond.nodes.empty()) return;
  const auto node_offset = static_cast<std::uint32_t>(d.cond.nodes.size());
  for (condition_node n : extra.nodes) {
    if (n.op == condition_op::search) n.search += search_offset;
    for (std::uint32_t& c : n.children) c += node_offset;
    d.cond.nodes.push_back(std::move(n));
  }
  condition_node both{condition_op::all, 0, {d.cond.root, extra.root + node_offset}};
  d.cond.nodes.push_back(std::move(both));
  d.cond.root = static_cast<std::uint32_t>(d.cond.nodes.size() - 1);
}

std::string mapped(const std::string& field, const core::sigma_logsource_route* route,
                   const core::sigma_config& cfg) {
  if (route != nullptr)
    if (auto it = route->field_mappings.find(field); it != route->field_mappings.end()) return it->second;
  if (auto it = cfg.field_mappings.find(field); it != cfg.field_mappings.end()) return it->second;
  return field;
}

// One route condition `field|modifiers: value` (Sigma syntax) as a field test; each problem is
// appended to `problems`.
field_test route_condition(const std::string& key, const std::string& value, int line,
                           const placeholder_map& placeholders, std::vector<std::string>& problems) {
  field_test t;
  t.field = key.substr(0, key.find('|'));
  t.line = line;
  if (t.field.empty()) problems.push_back("a condition needs a field name before its modifiers");
  const modifier_set mods = parse_modifiers(key, false, problems);
  t.kind = mods.kind;
  t.all = mods.all;
  t.negate = mods.neq;
  value_outcome made = make_matchers(value, mods, placeholders);
  if (!made.error.empty()) problems.push_back(made.error);
  t.negate = t.negate != made.negate;
  t.values.push_back({value, false, line, std::move(made.matchers), {}});
  return t;
}

std::string describe(const logsource& ls) {
  std::string out;
  for (auto [key, value] : {std::pair{"product", &ls.product}, {"category", &ls.category}, {"service", &ls.service}})
    if (!value->empty()) out += (out.empty() ? "" : " ") + std::string(key) + "=" + *value;
  return out.empty() ? "(none)" : out;
}

}  // namespace

bool logsource_covers(const logsource& wanted, const logsource& have) {
  return key_covers(wanted.product, have.product) && key_covers(wanted.category, have.category) &&
         key_covers(wanted.service, have.service);
}

void apply_filter(rule& r, const filter_rule& f) {
  std::vector<search> searches = f.detection.searches;
  for (search& s : searches) s.name = "filter:" + s.name;
  and_condition(r.detection, f.detection.cond, std::move(searches));
}

std::vector<diagnostic> check_routes(const core::sigma_config& cfg) {
  std::vector<diagnostic> errors;
  for (const core::sigma_logsource_route& route : cfg.logsources)
    for (const auto& [key, value] : route.conditions) {
      std::vector<std::string> problems;
      route_condition(key, value, route.line, cfg.placeholders, problems);
      for (const std::string& p : problems)
        errors.push_back({"sigma.logsources", route.line, "condition '" + key + "': " + p});
    }
  return errors;
}

const core::sigma_logsource_route* find_route(const core::sigma_config& cfg, const logsource& ls) {
  for (const core::sigma_logsource_route& route : cfg.logsources)
    if (logsource_covers({route.category, route.product, route.service, {}}, ls)) return &route;
  return nullptr;
}

void route_rule(rule& r, const core::sigma_config& cfg, std::vector<diagnostic>& warnings) {
  const core::sigma_logsource_route* route = find_route(cfg, r.logsource);
  if (route == nullptr && !cfg.logsources.empty())
    warnings.push_back({r.path, r.line, "log source " + describe(r.logsource) +
                                            " is not routed by the config (sigma.logsources); rule '" +
                                            r.title + "' runs on every event"});
  for (search& s : r.detection.searches)
    for (search_map& m : s.maps)
      for (field_test& t : m.tests) {
        if (!t.field.empty()) t.field = mapped(t.field, route, cfg);
        for (sigma_value& v : t.values)
          for (matcher& mt : v.matchers)
            if (mt.kind == matcher_kind::fieldref) mt.other_field = mapped(mt.other_field, route, cfg);
      }
  if (route == nullptr || route->conditions.empty()) return;

  // The route's conditions as one extra search, ANDed to the rule's condition.
  search extra;
  extra.name = "logsource";
  extra.line = route->line;
  search_map m;
  for (const auto& [key, value] : route->conditions) {
    std::vector<std::string> problems;  // reported once by check_routes()
    m.tests.push_back(route_condition(key, value, route->line, cfg.placeholders, problems));
  }
  extra.maps.push_back(std::move(m));
  condition c;
  c.nodes.push_back({condition_op::search, 0, {}});
  c.root = 0;
  std::vector<search> searches;
  searches.push_back(std::move(extra));
  and_condition(r.detection, c, std::move(searches));
}

}  // namespace talaia::rules
