#pragma once
// What makes rules written elsewhere run on Talaia's events, applied by the loader once a whole
// collection is read: Sigma filter documents, then the config's field mappings and logsource
// routes (`sigma:` in the config, core::sigma_config). Pure functions on loaded rules.
//
// Filters follow pySigma: each rule a filter names (by id or name; a filter without `rules`
// names every rule whose logsource its own logsource covers) becomes `(rule condition) and
// (filter condition)`, so the filter itself says `not selection` to exclude what it selects.
#include <string>
#include <vector>

#include "core/config.hpp"
#include "rules/rule.hpp"

namespace talaia::rules {

struct filter_rule {
  std::string title, path;
  int line = 0;
  rules::logsource logsource;
  std::vector<std::string> rules;  // ids or names; empty: every rule its logsource covers
  rules::detection detection;      // the filter's searches and condition
};

// True when every non-empty key of `wanted` equals the rule's (case-insensitively).
bool logsource_covers(const logsource& wanted, const logsource& rule_source);

// ANDs the filter's condition to the rule's; the filter's searches are appended to the rule's.
void apply_filter(rule& r, const filter_rule& f);

// Problems with the routes' conditions (`field|modifiers: value`, Sigma syntax: an unknown
// modifier, a regex or network that does not parse), each at its route's line.
std::vector<diagnostic> check_routes(const core::sigma_config& cfg);

// The first route covering the rule's logsource, or null.
const core::sigma_logsource_route* find_route(const core::sigma_config& cfg, const logsource& ls);

// Renames fields (the route's mappings first, then the global ones; fieldref targets too) and
// ANDs the route's conditions to the rule (each `field|modifiers: value`, as in a Sigma
// selection). A rule no route covers, while routes exist, gets a warning and runs unrestricted.
void route_rule(rule& r, const core::sigma_config& cfg, std::vector<diagnostic>& warnings);

}  // namespace talaia::rules
