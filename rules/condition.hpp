#pragma once
// A Sigma `condition`, parsed into a small tree over search identifiers.
//
// Grammar (operators lowercase only; precedence not > and > or):
//   expr    := and ('or' and)*
//   and     := unary ('and' unary)*
//   unary   := 'not' unary | '(' expr ')' | quant | IDENT
//   quant   := ('1' | 'any' | 'all') 'of' (PATTERN | 'them')
// `1 of` / `any of` is an OR and `all of` an AND over the search identifiers a PATTERN (`*` is a
// wildcard) selects, in their order of definition; `them` selects every identifier not starting
// with `_`. As in pySigma, a quantifier that selects no identifier is dropped from the expression.
// Pure: no I/O, no allocation while evaluating.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace talaia::rules {

enum class condition_op : std::uint8_t { search, all, any, negate };

struct condition_node {
  condition_op op = condition_op::search;
  std::uint32_t search = 0;              // index into the rule's search identifiers (op == search)
  std::vector<std::uint32_t> children;   // node indices (all, any: one or more; negate: exactly one)
};

struct condition {
  std::vector<condition_node> nodes;  // children precede their parents
  std::uint32_t root = 0;
};

// Parses one condition. `search_names` are the identifiers the rule defines, in order.
core::result<condition> parse_condition(std::string_view text,
                                        const std::vector<std::string>& search_names);

// Parses a list of conditions (Sigma allows `condition:` to be a list): their OR.
// `texts` must not be empty. Errors name the failing condition's position when there are several.
core::result<condition> parse_conditions(const std::vector<std::string>& texts,
                                         const std::vector<std::string>& search_names);

// True when any node is a `not`.
bool has_negation(const condition& c);

// Evaluates the condition; `search_true(index)` tells whether a search identifier matched.
// Short-circuits left to right.
template <typename Predicate>
bool evaluate(const condition& c, std::uint32_t node, Predicate& search_true) {
  const condition_node& n = c.nodes[node];
  switch (n.op) {
    case condition_op::search:
      return search_true(n.search);
    case condition_op::negate:
      return !evaluate(c, n.children.front(), search_true);
    case condition_op::all:
      for (std::uint32_t child : n.children)
        if (!evaluate(c, child, search_true)) return false;
      return true;
    case condition_op::any:
      for (std::uint32_t child : n.children)
        if (evaluate(c, child, search_true)) return true;
      return false;
  }
  return false;
}

template <typename Predicate>
bool evaluate(const condition& c, Predicate&& search_true) {
  if (c.nodes.empty()) return false;
  return evaluate(c, c.root, search_true);
}

}  // namespace talaia::rules
