#include "rules/rule_set.hpp"

#include "core/bytes.hpp"

#include <algorithm>
#include <map>
#include <cstdint>
#include <optional>
#include <tuple>
#include <set>
#include <utility>

namespace talaia::rules {
namespace {

struct atom {
  std::uint32_t slot = 0;
  matcher what;
  std::vector<std::uint32_t> rules;  // ascending, no repeats
};

using atom_key = std::pair<std::uint32_t, matcher>;

struct plan {
  std::vector<std::string> fields;  // sorted; slot i < fields.size() is fields[i], the last is keywords
  std::vector<atom> atoms;
  std::uint32_t keyword_slot() const { return static_cast<std::uint32_t>(fields.size()); }
};

std::vector<std::string> field_names(const std::vector<rule>& rules) {
  std::vector<std::string> names;
  for (const rule& r : rules)
    for_each_value(r.detection, [&](const sigma_value&, const field_test& t) {
      if (!t.field.empty()) names.push_back(t.field);
    });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// Gives every matcher of every non-null value an atom, sharing atoms between equal matchers on
// the same slot.
plan assign_atoms(std::vector<rule>& rules) {
  plan p;
  p.fields = field_names(rules);
  std::map<atom_key, std::uint32_t> seen;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    for_each_value(rules[r].detection, [&](sigma_value& v, const field_test& t) {
      v.atoms.clear();
      if (v.is_null) return;
      std::uint32_t slot = p.keyword_slot();
      if (!t.field.empty())
        slot = static_cast<std::uint32_t>(
            std::lower_bound(p.fields.begin(), p.fields.end(), t.field) - p.fields.begin());
      for (const matcher& m : v.matchers) {
        auto [it, inserted] = seen.try_emplace({slot, m}, static_cast<std::uint32_t>(p.atoms.size()));
        if (inserted) p.atoms.push_back({slot, m, {}});
        v.atoms.push_back(it->second);
        std::vector<std::uint32_t>& owners = p.atoms[it->second].rules;
        if (owners.empty() || owners.back() != r) owners.push_back(static_cast<std::uint32_t>(r));
      }
    });
  }
  return p;
}

unsigned int hyperscan_flags(const matcher& m) {
  unsigned int flags = HS_FLAG_SINGLEMATCH;
  if (m.caseless) flags |= HS_FLAG_CASELESS;
  if (m.dotall) flags |= HS_FLAG_DOTALL;
  if (m.multiline) flags |= HS_FLAG_MULTILINE;
  if (m.user_regex) flags |= HS_FLAG_ALLOWEMPTY;
  return flags;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string shorten(std::string_view s) {
  constexpr std::size_t max = 60;
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

// Calls fn(rule, line, "field 'x' value '...'") once per rule using `atom_id`.
template <typename Fn>
void for_each_owner(const std::vector<rule>& rules, const atom& a, std::uint32_t atom_id, Fn&& fn) {
  for (std::uint32_t r : a.rules) {
    const rule& owner = rules[r];
    int line = owner.line;
    std::string where;
    for_each_value(owner.detection, [&](const sigma_value& v, const field_test& t) {
      if (!where.empty() || std::find(v.atoms.begin(), v.atoms.end(), atom_id) == v.atoms.end()) return;
      line = v.line;
      where = (t.field.empty() ? std::string("keyword") : "field '" + t.field + "'") + " value '" +
              shorten(v.text) + "'";
    });
    fn(owner, line, where);
  }
}

// Trigger atoms: atoms of which at least one must hit for the rule to match; nullopt when it may
// match with none (a negation, a null value, `neq`...). The scanner evaluates a rule only when
// one of its triggers hits (or on every event without triggers). For `a and b` one side's
// triggers suffice. The side taken is the one least likely to hit, guessed from the atoms alone:
// first the side whose most shared atom is shared by the fewest rules (an atom many rules share,
// such as a logsource route's condition `kind: syslog`, ANDed to every rule of the route and hit
// by every syslog event, hits on most events), then the side whose shortest pattern is the
// longest (`filter: [':']` hits almost every line, `'scp '` rarely), then the smaller side.
using trigger = std::optional<std::vector<std::uint32_t>>;

trigger search_trigger(const search& s) {
  std::vector<std::uint32_t> atoms;
  for (const search_map& m : s.maps)
    for (const field_test& t : m.tests)
      for (const sigma_value& v : t.values) {
        if (v.is_null) return std::nullopt;  // decided on the event itself, not on atoms
        atoms.insert(atoms.end(), v.atoms.begin(), v.atoms.end());
      }
  // The search depends on its own atoms only: with none of them hit it is what it is with
  // nothing hit at all.
  if (search_true_without_hits(s)) return std::nullopt;
  std::sort(atoms.begin(), atoms.end());
  atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
  return atoms;
}

trigger node_trigger(const detection& d, std::uint32_t node, const std::vector<atom>& atoms) {
  const condition_node& n = d.cond.nodes[node];
  switch (n.op) {
    case condition_op::search:
      if (n.search >= d.searches.size()) return std::vector<std::uint32_t>{};  // never true
      return search_trigger(d.searches[n.search]);
    case condition_op::negate:
      return std::nullopt;
    case condition_op::all: {
      trigger best;
      // (most rules sharing one atom, minus the shortest pattern's length, atoms); a direct
      // check (present, cidr, lt...) counts as a pattern of length 0.
      std::tuple<std::size_t, std::ptrdiff_t, std::size_t> best_cost;
      for (std::uint32_t child : n.children) {
        trigger t = node_trigger(d, child, atoms);
        if (!t) continue;
        std::size_t shared = 0, shortest = t->empty() ? 0 : SIZE_MAX;
        for (std::uint32_t a : *t) {
          shared = std::max(shared, atoms[a].rules.size());
          const matcher& m = atoms[a].what;
          shortest = std::min(shortest, m.kind == matcher_kind::regex ? m.regex.size() : std::size_t{0});
        }
        const std::tuple<std::size_t, std::ptrdiff_t, std::size_t> cost{shared, -static_cast<std::ptrdiff_t>(shortest),
                                                                       t->size()};
        if (!best || cost < best_cost) {
          best = std::move(t);
          best_cost = cost;
        }
      }
      return best;  // nullopt when no child has triggers (or there is no child: true)
    }
    case condition_op::any: {
      std::vector<std::uint32_t> all;
      for (std::uint32_t child : n.children) {
        trigger t = node_trigger(d, child, atoms);
        if (!t) return std::nullopt;
        all.insert(all.end(), t->begin(), t->end());
      }
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      return all;
    }
  }
  return std::nullopt;
}

trigger rule_trigger(const rule& r, const std::vector<atom>& atoms) {
  if (r.detection.cond.nodes.empty()) return std::vector<std::uint32_t>{};  // never matches
  trigger t = node_trigger(r.detection, r.detection.cond.root, atoms);
  // Belt and braces: a rule that matches an event on which nothing hit has no triggers. (With
  // null values that check says yes whatever the rest, so it is left to node_trigger, which
  // only takes a search with nulls as having no triggers.)
  bool has_null = false;
  for_each_value(r.detection, [&](const sigma_value& v, const field_test&) { has_null |= v.is_null; });
  if (t && !has_null && can_match_without_hits(r.detection)) return std::nullopt;
  return t;
}

// The field tests that must hold for the detection to match: those of a one-map search reached
// from the root through `and` nodes only.
void required_tests(const detection& d, std::uint32_t node, std::vector<const field_test*>& out) {
  const condition_node& n = d.cond.nodes[node];
  if (n.op == condition_op::all) {
    for (std::uint32_t child : n.children) required_tests(d, child, out);
  } else if (n.op == condition_op::search && n.search < d.searches.size() && d.searches[n.search].maps.size() == 1) {
    for (const field_test& t : d.searches[n.search].maps.front().tests) out.push_back(&t);
  }
}

// A rule's gates: the atoms of each required test on a field (no null value, no negation), which
// holds only if one of its atoms hits: a value holds only through one of its matchers.
struct rule_gate {
  std::vector<std::uint32_t> atoms;
  std::uint32_t slot = 0;
  bool scanned = false;
};

std::vector<rule_gate> rule_gates(const rule& r, const std::vector<atom>& atoms, const std::vector<bool>& scanned) {
  std::vector<rule_gate> gates;
  if (r.detection.cond.nodes.empty()) return gates;
  std::vector<const field_test*> tests;
  required_tests(r.detection, r.detection.cond.root, tests);
  for (const field_test* t : tests) {
    if (t->field.empty() || t->negate || t->values.empty()) continue;
    rule_gate g;
    bool usable = true;
    for (const sigma_value& v : t->values) {
      usable &= !v.is_null && !v.atoms.empty();
      for (std::uint32_t a : v.atoms) {
        g.atoms.push_back(a);
        g.slot = atoms[a].slot;
        g.scanned |= scanned[a];
      }
    }
    if (!usable) continue;
    std::sort(g.atoms.begin(), g.atoms.end());
    g.atoms.erase(std::unique(g.atoms.begin(), g.atoms.end()), g.atoms.end());
    gates.push_back(std::move(g));
  }
  return gates;
}

void report_rejection(const std::vector<rule>& rules, const atom& a, std::uint32_t atom_id,
                      const std::string& reason, std::vector<diagnostic>& errors) {
  for_each_owner(rules, a, atom_id, [&](const rule& bad, int line, const std::string& where) {
    errors.push_back({bad.path, line, where + " rejected by " + reason + "; rule '" + bad.title + "' left out"});
  });
}

}  // namespace

core::result<std::shared_ptr<const rule_set>> rule_set::build(std::vector<rule> rules,
                                                              std::vector<diagnostic>& errors) {
  rule_set set;
  std::map<atom_key, std::string> to_fallback;  // user regexes Hyperscan refused -> its reason
  for (;;) {
    plan p = assign_atoms(rules);
    std::vector<slot> slots(p.fields.size() + 1);
    for (std::size_t i = 0; i < slots.size(); ++i) slots[i].index = static_cast<std::uint32_t>(i);
    for (std::size_t i = 0; i < p.fields.size(); ++i) slots[i].field = p.fields[i];

    // What each rule is triggered by (rule_trigger); those atoms and the gates' are scanned at
    // once, any other regex atom lazily (slot::lazy_db).
    std::vector<trigger> triggers(rules.size());
    std::vector<bool> eager(p.atoms.size(), false);
    const std::vector<bool> none_scanned(p.atoms.size(), false);
    for (std::size_t r = 0; r < rules.size(); ++r) {
      triggers[r] = rule_trigger(rules[r], p.atoms);
      if (triggers[r])
        for (std::uint32_t a : *triggers[r]) eager[a] = true;
      for (const rule_gate& g : rule_gates(rules[r], p.atoms, none_scanned))
        for (std::uint32_t a : g.atoms) eager[a] = true;
    }

    std::vector<bool> left_out(rules.size(), false);
    std::vector<std::vector<expression>> per_slot(slots.size()), lazy_per_slot(slots.size());
    std::vector<std::pair<std::uint32_t, std::string>> fallback_atoms;  // atom, Hyperscan's reason
    std::vector<bool> scanned(p.atoms.size(), false);    // atoms of a database or the fallback engine
    for (std::size_t a = 0; a < p.atoms.size(); ++a) {
      const atom& at = p.atoms[a];
      auto id = static_cast<std::uint32_t>(a);
      slot& sl = slots[at.slot];
      switch (at.what.kind) {
        case matcher_kind::regex: {
          if (!at.what.literal.empty()) {  // a plain equality: looked up, not scanned
            std::string literal = at.what.literal;
            sl.exact_longest = std::max(sl.exact_longest, literal.size());
            if (at.what.caseless) {
              std::transform(literal.begin(), literal.end(), literal.begin(), ascii_lower);
              sl.exact_caseless.push_back({std::move(literal), id});
            } else {
              sl.exact_cased.push_back({std::move(literal), id});
            }
            break;
          }
          scanned[a] = true;
          sl.scan_empty |= at.what.user_regex;
          auto fb = to_fallback.find({at.slot, at.what});
          if (fb == to_fallback.end()) {
            (eager[a] ? per_slot : lazy_per_slot)[at.slot].push_back({at.what.regex, hyperscan_flags(at.what), id});
            if (!eager[a]) sl.lazy_rules.insert(sl.lazy_rules.end(), at.rules.begin(), at.rules.end());
            break;
          }
          core::result<pcre2_code_ptr> code = compile_fallback(
              at.what.regex, {at.what.caseless, at.what.dotall, at.what.multiline});
          if (!code) {
            report_rejection(rules, at, id, "Hyperscan: " + fb->second + ", and by " + code.err().message, errors);
            for (std::uint32_t r : at.rules) left_out[r] = true;
            break;
          }
          sl.fallbacks.push_back({id, std::move(code).value()});
          fallback_atoms.emplace_back(id, fb->second);
          break;
        }
        case matcher_kind::present: sl.present_atoms.push_back(id); break;
        case matcher_kind::empty: sl.empty_atoms.push_back(id); break;
        case matcher_kind::cidr:
        case matcher_kind::compare:
        case matcher_kind::fieldref: sl.checks.push_back({id, at.what}); break;
      }
    }

    bool retry = false;
    for (std::size_t s = 0; s < slots.size() && !retry; ++s) {
      std::vector<std::uint32_t>& lazy_rules = slots[s].lazy_rules;
      std::sort(lazy_rules.begin(), lazy_rules.end());
      lazy_rules.erase(std::unique(lazy_rules.begin(), lazy_rules.end()), lazy_rules.end());
      for (const bool lazy : {false, true}) {
        const std::vector<expression>& expressions = (lazy ? lazy_per_slot : per_slot)[s];
        if (expressions.empty()) continue;
        core::result<compiled> c = compile_block(expressions);
        if (!c) return c.err();
        if (c->rejected >= 0) {
          std::uint32_t atom_id = expressions[static_cast<std::size_t>(c->rejected)].id;
          const atom& at = p.atoms[atom_id];
          if (at.what.user_regex) {
            to_fallback.emplace(atom_key{at.slot, at.what}, c->reason);
          } else {
            report_rejection(rules, at, atom_id, "Hyperscan: " + c->reason, errors);
            for (std::uint32_t r : at.rules) left_out[r] = true;
          }
          retry = true;  // atom ids change: start again
          break;
        }
        (lazy ? slots[s].lazy_db : slots[s].db) = std::move(c->db);
      }
    }
    if (std::find(left_out.begin(), left_out.end(), true) != left_out.end()) {
      std::vector<rule> kept;
      for (std::size_t r = 0; r < rules.size(); ++r)
        if (!left_out[r]) kept.push_back(std::move(rules[r]));
      rules = std::move(kept);
      continue;
    }
    if (retry) continue;

    for (const auto& [atom_id, reason] : fallback_atoms)
      for_each_owner(rules, p.atoms[atom_id], atom_id, [&](const rule& r, int line, const std::string& where) {
        set.warnings_.push_back(
            {r.path, line, where + ": Hyperscan cannot compile this regex (" + reason +
                               "); it runs on the PCRE2 fallback engine (match limit " +
                               std::to_string(fallback_match_limit) + ", slower)"});
      });
    for (slot& sl : slots)
      for (auto* table : {&sl.exact_caseless, &sl.exact_cased})
        std::sort(table->begin(), table->end(), [](const exact_value& a, const exact_value& b) {
          if (exact_order(a.text, b.text)) return true;
          if (exact_order(b.text, a.text)) return false;
          return a.atom < b.atom;
        });
    set.keywords_ = std::move(slots.back());
    slots.pop_back();
    set.fields_ = std::move(slots);
    set.index_slots();
    // Which rules each atom's hit makes candidates: the rules it is a trigger of.
    std::vector<std::vector<std::uint32_t>> triggered(p.atoms.size());
    for (std::size_t r = 0; r < rules.size(); ++r) {
      const trigger& t = triggers[r];
      if (!t) {
        set.always_evaluated_.push_back(static_cast<std::uint32_t>(r));
        continue;
      }
      for (std::uint32_t a : *t) triggered[a].push_back(static_cast<std::uint32_t>(r));
    }
    // Gates, and the slots whose every scanning rule has some.
    for (const rule& r : rules) {
      for (const rule_gate& g : rule_gates(r, p.atoms, scanned)) {
        const auto begin = static_cast<std::uint32_t>(set.gate_atoms_.size());
        set.gate_atoms_.insert(set.gate_atoms_.end(), g.atoms.begin(), g.atoms.end());
        set.gates_.push_back({begin, static_cast<std::uint32_t>(set.gate_atoms_.size()), g.slot, g.scanned});
      }
      set.gate_offsets_.push_back(static_cast<std::uint32_t>(set.gates_.size()));
    }
    std::vector<std::vector<std::uint32_t>> scanning_rules(p.fields.size() + 1);
    for (std::size_t a = 0; a < p.atoms.size(); ++a)
      if (scanned[a])
        for (std::uint32_t r : p.atoms[a].rules) scanning_rules[p.atoms[a].slot].push_back(r);
    for (std::size_t s = 0; s < scanning_rules.size(); ++s) {
      std::vector<std::uint32_t>& owners = scanning_rules[s];
      std::sort(owners.begin(), owners.end());
      owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
      slot& sl = s == p.fields.size() ? set.keywords_ : set.fields_[s];
      sl.gated = !owners.empty() && std::all_of(owners.begin(), owners.end(), [&](std::uint32_t r) {
        return set.gate_offsets_[r + 1] > set.gate_offsets_[r];
      });
      if (!sl.gated) continue;
      // Rules with the same gates (every rule of a route shares its conditions) are checked once.
      std::set<std::vector<std::uint32_t>> seen_gates;
      for (std::uint32_t r : owners) {
        std::vector<std::uint32_t> key;
        for (const gate& g : set.gates_of(r)) {
          key.push_back(g.slot);
          key.insert(key.end(), set.gate_atoms_.begin() + g.begin, set.gate_atoms_.begin() + g.end);
          key.push_back(UINT32_MAX);  // the end of a gate
        }
        if (seen_gates.insert(std::move(key)).second) sl.gated_rules.push_back(r);
      }
    }
    for (const auto& owners : triggered) {
      set.atom_rule_ids_.insert(set.atom_rule_ids_.end(), owners.begin(), owners.end());
      set.atom_rule_offsets_.push_back(static_cast<std::uint32_t>(set.atom_rule_ids_.size()));
    }
    set.rules_ = std::move(rules);
    return std::make_shared<const rule_set>(std::move(set));
  }
}

void rule_set::index_slots() {
  std::size_t size = 8;
  while (size < 2 * fields_.size()) size *= 2;
  slot_table_.assign(size, 0);
  slot_mask_ = size - 1;
  slot_filter_.fill(0);
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const std::size_t hash = slot_hash(fields_[i].field);
    slot_filter_[filter_bit(hash) >> 6] |= std::uint64_t{1} << (filter_bit(hash) & 63);
    std::size_t b = hash & slot_mask_;
    while (slot_table_[b] != 0) b = (b + 1) & slot_mask_;
    slot_table_[b] = static_cast<std::uint32_t>(i + 1);
  }
}

std::vector<const hs_database_t*> rule_set::databases() const {
  std::vector<const hs_database_t*> out;
  for (const slot& s : fields_)
    if (s.db) out.push_back(s.db.get());
  for (const slot& s : fields_)
    if (s.lazy_db) out.push_back(s.lazy_db.get());
  if (keywords_.db) out.push_back(keywords_.db.get());
  if (keywords_.lazy_db) out.push_back(keywords_.lazy_db.get());
  return out;
}

}  // namespace talaia::rules
