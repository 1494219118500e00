#include "rules/detection.hpp"

#include <algorithm>

namespace talaia::rules {
namespace {

bool value_true(const sigma_value& v, const field_test& t, const match_input& in) {
  if (v.is_null) {
    const core::field_view* f = in.ev.find(t.field);
    return f == nullptr || f->text.empty();
  }
  for (std::uint32_t a : v.atoms)
    if (a < in.hits.size() && in.hits[a] != 0) return true;
  return false;
}

bool test_true(const field_test& t, const match_input& in) {
  auto one = [&](const sigma_value& v) { return value_true(v, t, in); };
  bool held = t.all ? std::all_of(t.values.begin(), t.values.end(), one)
                    : std::any_of(t.values.begin(), t.values.end(), one);
  return held != t.negate;
}

bool map_true(const search_map& m, const match_input& in) {
  return std::all_of(m.tests.begin(), m.tests.end(),
                     [&](const field_test& t) { return test_true(t, in); });
}

bool search_true(const search& s, const match_input& in) {
  return std::any_of(s.maps.begin(), s.maps.end(),
                     [&](const search_map& m) { return map_true(m, in); });
}

}  // namespace

bool matches(const detection& d, const match_input& in) {
  return evaluate(d.cond, [&](std::uint32_t s) {
    return s < d.searches.size() && search_true(d.searches[s], in);
  });
}

bool search_true_without_hits(const search& s) {
  const core::event_view nothing;
  return search_true(s, match_input{{}, nothing});
}

bool can_match_without_hits(const detection& d) {
  bool has_null = false;
  for_each_value(d, [&](const sigma_value& v, const field_test&) { has_null |= v.is_null; });
  if (has_null) return true;
  // Without nulls, the outcome depends on hits alone: try the event where nothing hit.
  const core::event_view nothing;
  return matches(d, match_input{{}, nothing});
}

}  // namespace talaia::rules
