#include "rules/rule_set.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace talaia::rules {
namespace {

constexpr unsigned int pattern_flags = HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH;

struct atom {
  std::uint32_t slot = 0;
  pattern_kind kind = pattern_kind::regex;
  std::string regex;
  std::vector<std::uint32_t> rules;  // ascending, no repeats
};

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

// Gives every non-null value an atom, sharing atoms between equal patterns on the same slot.
plan assign_atoms(std::vector<rule>& rules) {
  plan p;
  p.fields = field_names(rules);
  std::map<std::tuple<std::uint32_t, pattern_kind, std::string>, std::uint32_t> seen;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    for_each_value(rules[r].detection, [&](sigma_value& v, const field_test& t) {
      if (v.is_null) return;
      std::uint32_t slot = p.keyword_slot();
      if (!t.field.empty())
        slot = static_cast<std::uint32_t>(
            std::lower_bound(p.fields.begin(), p.fields.end(), t.field) - p.fields.begin());
      pattern pat = to_pattern(v.text, t.kind);
      auto [it, inserted] = seen.try_emplace({slot, pat.kind, pat.regex},
                                             static_cast<std::uint32_t>(p.atoms.size()));
      if (inserted) p.atoms.push_back({slot, pat.kind, std::move(pat.regex), {}});
      v.atom = it->second;
      std::vector<std::uint32_t>& owners = p.atoms[v.atom].rules;
      if (owners.empty() || owners.back() != r) owners.push_back(static_cast<std::uint32_t>(r));
    });
  }
  return p;
}

std::string shorten(std::string_view s) {
  constexpr std::size_t max = 60;
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

// Reports that Hyperscan refused `atom_id`, once per rule using it.
void report_rejection(const std::vector<rule>& rules, const atom& a, std::uint32_t atom_id,
                      const std::string& reason, std::vector<diagnostic>& errors) {
  for (std::uint32_t r : a.rules) {
    const rule& bad = rules[r];
    int line = bad.line;
    std::string where;
    for_each_value(bad.detection, [&](const sigma_value& v, const field_test& t) {
      if (v.atom != atom_id || !where.empty()) return;
      line = v.line;
      where = (t.field.empty() ? std::string("keyword") : "field '" + t.field + "'") + " value '" +
              shorten(v.text) + "'";
    });
    errors.push_back({bad.path, line,
                      where + " rejected by Hyperscan: " + reason + "; rule '" + bad.title +
                          "' left out"});
  }
}

}  // namespace

core::result<std::shared_ptr<const rule_set>> rule_set::build(std::vector<rule> rules,
                                                              std::vector<diagnostic>& errors) {
  rule_set set;
  for (;;) {
    plan p = assign_atoms(rules);
    std::vector<slot> slots(p.fields.size() + 1);
    for (std::size_t i = 0; i < p.fields.size(); ++i) slots[i].field = p.fields[i];

    std::vector<std::vector<expression>> per_slot(slots.size());
    for (std::size_t a = 0; a < p.atoms.size(); ++a) {
      const atom& at = p.atoms[a];
      auto id = static_cast<std::uint32_t>(a);
      switch (at.kind) {
        case pattern_kind::regex: per_slot[at.slot].push_back({at.regex, pattern_flags, id}); break;
        case pattern_kind::present: slots[at.slot].present_atoms.push_back(id); break;
        case pattern_kind::empty: slots[at.slot].empty_atoms.push_back(id); break;
      }
    }

    std::vector<bool> left_out(rules.size(), false);
    for (std::size_t s = 0; s < slots.size(); ++s) {
      if (per_slot[s].empty()) continue;
      core::result<compiled> c = compile_block(per_slot[s]);
      if (!c) return c.err();
      if (c->rejected >= 0) {
        std::uint32_t atom_id = per_slot[s][static_cast<std::size_t>(c->rejected)].id;
        report_rejection(rules, p.atoms[atom_id], atom_id, c->reason, errors);
        for (std::uint32_t r : p.atoms[atom_id].rules) left_out[r] = true;
        break;  // drop the rule(s) and start again: atom ids change
      }
      slots[s].db = std::move(c->db);
    }
    if (std::find(left_out.begin(), left_out.end(), true) != left_out.end()) {
      std::vector<rule> kept;
      for (std::size_t r = 0; r < rules.size(); ++r)
        if (!left_out[r]) kept.push_back(std::move(rules[r]));
      rules = std::move(kept);
      continue;
    }

    set.keywords_ = std::move(slots.back());
    slots.pop_back();
    set.fields_ = std::move(slots);
    for (const atom& at : p.atoms) {
      set.atom_rule_ids_.insert(set.atom_rule_ids_.end(), at.rules.begin(), at.rules.end());
      set.atom_rule_offsets_.push_back(static_cast<std::uint32_t>(set.atom_rule_ids_.size()));
    }
    for (std::size_t r = 0; r < rules.size(); ++r)
      if (can_match_without_hits(rules[r].detection))
        set.always_evaluated_.push_back(static_cast<std::uint32_t>(r));
    set.rules_ = std::move(rules);
    return std::make_shared<const rule_set>(std::move(set));
  }
}

const rule_set::slot* rule_set::find_slot(std::string_view field) const {
  auto it = std::lower_bound(fields_.begin(), fields_.end(), field,
                             [](const slot& s, std::string_view f) { return s.field < f; });
  if (it == fields_.end() || it->field != field) return nullptr;
  return &*it;
}

std::span<const std::uint32_t> rule_set::rules_of(std::uint32_t atom) const {
  if (atom + 1 >= atom_rule_offsets_.size()) return {};
  return std::span<const std::uint32_t>(atom_rule_ids_)
      .subspan(atom_rule_offsets_[atom], atom_rule_offsets_[atom + 1] - atom_rule_offsets_[atom]);
}

std::vector<const hs_database_t*> rule_set::databases() const {
  std::vector<const hs_database_t*> out;
  for (const slot& s : fields_)
    if (s.db) out.push_back(s.db.get());
  if (keywords_.db) out.push_back(keywords_.db.get());
  return out;
}

}  // namespace talaia::rules
