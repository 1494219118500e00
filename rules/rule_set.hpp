#pragma once
// The compiled form of a set of rules: every value of every rule becomes an "atom" (a Hyperscan
// pattern, or a direct present/empty test), grouped into one Hyperscan database per field name
// plus one for keywords. Immutable once built; share it between threads as
// std::shared_ptr<const rule_set>, and give each thread its own scanner.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "rules/fallback_regex.hpp"
#include "rules/hyperscan.hpp"
#include "rules/rule.hpp"

namespace talaia::rules {

class rule_set {
 public:
  // The atoms of one field name (or of the keywords).
  struct check {  // an atom decided directly on the text (cidr, lt/gt, fieldref)
    std::uint32_t atom = 0;
    matcher what;
  };
  struct fallback {  // an `re` atom Hyperscan refused, run with PCRE2 under limits
    std::uint32_t atom = 0;
    pcre2_code_ptr code;
  };
  struct exact_value {  // an atom that holds when the whole text is this literal
    std::string text;    // ASCII-lowercased when caseless
    std::uint32_t atom = 0;
  };
  struct slot {
    std::string field;                       // empty for the keyword slot
    database_ptr db;                         // null when the slot has no regex atoms left to scan
    // Regex atoms that trigger no rule and gate none (`filter: [':', '@']` beside a rarer
    // selection): their hits matter only to the rules owning them, so they are scanned, after
    // the rest, only when one of those rules is to be evaluated. Null when there are none.
    database_ptr lazy_db;
    std::vector<std::uint32_t> lazy_rules;  // the rules owning lazy_db's atoms, ascending
    // Equality atoms (`field: value` without wildcards, the commonest Sigma test) are looked up
    // here, sorted by text, instead of scanned: short fields such as `kind` or `app_name` then
    // need no hs_scan call at all.
    std::vector<exact_value> exact_caseless, exact_cased;  // sorted by exact_order
    std::size_t exact_longest = 0;
    std::vector<std::uint32_t> present_atoms;  // true whenever the field is scanned
    std::vector<std::uint32_t> empty_atoms;    // true when the field's text is empty
    std::vector<check> checks;
    std::vector<fallback> fallbacks;
    bool scan_empty = false;  // a user regex may match empty text
    // The rules with atoms in `db` or `fallbacks`, when every one of them has gates (see
    // gates_of), one per distinct set of gates; `gated` false means the slot is always scanned.
    std::vector<std::uint32_t> gated_rules;
    bool gated = false;
    std::uint32_t index = 0;  // slot_index: position among the field slots, the keyword slot last
  };

  // Compiles every rule's patterns with one hs_compile_multi per database. An `re` value
  // Hyperscan rejects runs on the PCRE2 fallback instead (listed in warnings()); any other
  // pattern Hyperscan rejects, and a regex PCRE2 rejects too, is reported in `errors` at the
  // rule's file and the value's line, and that rule is left out (indices of rules() then skip
  // it). An error result means the engine itself failed (out of memory, unsupported CPU).
  // The order of the exact tables: by length, then bytes (lengths mostly differ: no byte compared).
  static bool exact_order(std::string_view a, std::string_view b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }

  static core::result<std::shared_ptr<const rule_set>> build(std::vector<rule> rules,
                                                             std::vector<diagnostic>& errors);

  const std::vector<rule>& rules() const { return rules_; }
  // Values left to the fallback engine, one `path:line: ...` each: not errors.
  const std::vector<diagnostic>& warnings() const { return warnings_; }

  // For the scanner.
  std::size_t atom_count() const { return atom_rule_offsets_.size() - 1; }
  // Null when no rule names the field. Inline: the scanner asks for every field of every event.
  const slot* find_slot(std::string_view field) const {
    const std::size_t hash = slot_hash(field);
    if (!may_have_slot(hash)) return nullptr;  // most of an event's fields: no table probed
    for (std::size_t b = hash & slot_mask_;; b = (b + 1) & slot_mask_) {
      const std::uint32_t i = slot_table_[b];
      if (i == 0) return nullptr;
      if (core::same_text(fields_[i - 1].field, field)) return &fields_[i - 1];
    }
  }
  const slot& keyword_slot() const { return keywords_; }
  std::size_t slot_count() const { return fields_.size() + 1; }
  std::span<const std::uint32_t> rules_of(std::uint32_t atom) const {  // inline: every hit asks
    if (atom + 1 >= atom_rule_offsets_.size()) return {};
    return std::span<const std::uint32_t>(atom_rule_ids_)
        .subspan(atom_rule_offsets_[atom], atom_rule_offsets_[atom + 1] - atom_rule_offsets_[atom]);
  }
  const std::vector<std::uint32_t>& always_evaluated() const { return always_evaluated_; }
  // A rule's gates: the atoms of each field test the rule cannot match without (such as a
  // logsource route's `kind: syslog`), at least one per gate to hit. The scanner looks equality
  // values up and scans short fields first; when no rule of a slot can still pass its gates, the
  // slot's scans cannot change any decision and are skipped.
  struct gate {
    std::uint32_t begin = 0, end = 0;  // its atoms: gate_atoms()[begin .. end)
    std::uint32_t slot = 0;            // the slot of its field (slot_index)
    bool scanned = false;              // some of its atoms are decided by the slot's scan
  };
  std::span<const gate> gates_of(std::uint32_t rule) const {
    return std::span<const gate>(gates_).subspan(gate_offsets_[rule], gate_offsets_[rule + 1] - gate_offsets_[rule]);
  }
  const std::vector<std::uint32_t>& gate_atoms() const { return gate_atoms_; }
  std::vector<const hs_database_t*> databases() const;

 private:
  rule_set() = default;
  void index_slots();  // fills slot_table_ and slot_filter_ from fields_
  // The hash's top byte, whose bit in slot_filter_ every slot name sets (the table's buckets
  // take the low bits): a name whose bit is clear has no slot.
  static std::size_t filter_bit(std::size_t hash) { return hash >> 24 & 255; }
  bool may_have_slot(std::size_t hash) const {
    const std::size_t bit = filter_bit(hash);
    return (slot_filter_[bit >> 6] >> (bit & 63) & 1) != 0;
  }
  // Length, first two and last two bytes: a few instructions, and the names of a rule set (tens
  // to hundreds) rarely share all of them; a shared bucket costs one more comparison.
  static std::size_t slot_hash(std::string_view name) {
    const std::size_t n = name.size();
    const auto at = [&](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(name[i])); };
    std::uint64_t h = n;
    if (n > 0) h |= at(0) << 8 | at(n - 1) << 16;
    if (n > 1) h |= at(1) << 24 | at(n - 2) << 32;
    h *= 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h >> 32);
  }

  std::vector<rule> rules_;
  std::vector<diagnostic> warnings_;
  std::vector<slot> fields_;  // sorted by field name
  // find_slot's open-addressing table over fields_: index + 1, 0 for an empty bucket.
  std::vector<std::uint32_t> slot_table_;
  std::size_t slot_mask_ = 0;
  std::array<std::uint64_t, 4> slot_filter_{};
  slot keywords_;
  std::vector<std::uint32_t> atom_rule_offsets_{0};  // rules of atom a: ids[offsets[a] .. offsets[a+1])
  std::vector<std::uint32_t> atom_rule_ids_;
  std::vector<std::uint32_t> always_evaluated_;  // rules that can match with no atom hit
  std::vector<std::uint32_t> gate_offsets_{0};  // gates of rule r: gates_[offsets[r] .. offsets[r+1])
  std::vector<gate> gates_;
  std::vector<std::uint32_t> gate_atoms_;
};

}  // namespace talaia::rules
