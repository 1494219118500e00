#pragma once
// The `detection` part of a Sigma rule: search identifiers and the condition over them, plus the
// function that decides whether a detection matches, given which engine atoms hit on an event.
//
//   search     = OR of its maps (a keyword list is one map holding one keyword test)
//   search_map = AND of its field tests
//   field_test = OR of its values (AND with the `all` modifier), negated by `neq` and
//                `exists: false`
//   value      = OR of its matchers (one, or several for base64offset, utf16 forms and expand)
//
// Each distinct matcher is one atom of the engine; rule_set::build assigns atom ids. A null value
// is decided directly on the event: true when the field is absent or empty.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/event_view.hpp"
#include "rules/condition.hpp"
#include "rules/matcher.hpp"
#include "rules/pattern.hpp"

namespace talaia::rules {

struct sigma_value {
  std::string text;   // as written in the rule, wildcards and escapes included; numbers as text
  bool is_null = false;
  int line = 0;
  std::vector<matcher> matchers;     // alternatives; none for an `expand` placeholder with no value
  std::vector<std::uint32_t> atoms;  // one per matcher, set by rule_set::build
};

struct field_test {
  std::string field;  // empty: a keyword test (matched against `raw`, else every string field)
  match_kind kind = match_kind::equals;
  bool all = false;   // `|all`: every value must match
  bool negate = false;  // `neq` (no value matches; true when the field is absent), `exists: false`
  std::vector<sigma_value> values;
  int line = 0;
};

struct search_map {
  std::vector<field_test> tests;
};

struct search {
  std::string name;
  std::vector<search_map> maps;
  int line = 0;
};

struct detection {
  std::vector<search> searches;
  condition cond;
};

// The engine's view of one event: hits[atom] != 0 when that atom matched.
struct match_input {
  std::span<const std::uint8_t> hits;
  const core::event_view& ev;
};

bool matches(const detection& d, const match_input& in);

// True when the detection might match an event on which no atom hit (e.g. `not filter`, or a
// null value); such rules are evaluated on every event.
bool can_match_without_hits(const detection& d);
// The same for one search identifier (false for null values too: they read the event).
bool search_true_without_hits(const search& s);

// Calls fn(sigma_value&, const field_test&) for every value, in rule order.
template <typename Fn>
void for_each_value(detection& d, Fn&& fn) {
  for (search& s : d.searches)
    for (search_map& m : s.maps)
      for (field_test& t : m.tests)
        for (sigma_value& v : t.values) fn(v, t);
}

template <typename Fn>
void for_each_value(const detection& d, Fn&& fn) {
  for (const search& s : d.searches)
    for (const search_map& m : s.maps)
      for (const field_test& t : m.tests)
        for (const sigma_value& v : t.values) fn(v, t);
}

}  // namespace talaia::rules
