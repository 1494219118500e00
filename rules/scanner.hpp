#pragma once
// Matches events against a rule_set. One scanner per thread: it owns the Hyperscan scratch and
// the per-event bookkeeping, which it reuses, so a steady-state match() allocates nothing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/event_view.hpp"
#include "core/result.hpp"
#include "rules/hyperscan.hpp"
#include "rules/rule_set.hpp"

namespace talaia::rules {

class scanner {
 public:
  static core::result<scanner> make(std::shared_ptr<const rule_set> set);

  // Appends, in ascending order, the index (into set->rules()) of every rule the event matches.
  // Never throws; a failed Hyperscan scan is counted in scan_errors() and its field skipped; a
  // fallback regex that hits its match limit counts as not matched, in fallback_limit_hits().
  void match(const core::event_view& ev, std::vector<std::size_t>& matched_rules);
  void match(const core::event& ev, std::vector<std::size_t>& matched_rules);

  const rule_set& rules() const { return *set_; }
  std::uint64_t scan_errors() const { return scan_errors_; }
  std::uint64_t fallback_limit_hits() const { return fallback_limit_hits_; }

 private:
  scanner(std::shared_ptr<const rule_set> set, scratch_ptr scratch, fallback_matcher fallback);

  void reset();
  void scan(const rule_set::slot& s, std::string_view text, const core::event_view& ev);
  void decide_directly(const rule_set::slot& s, std::string_view text, const core::event_view& ev);
  void scan_patterns(const rule_set::slot& s, std::string_view text);
  void scan_database(const hs_database_t* db, const rule_set::slot& s, std::string_view text);
  bool worth_scanning(const rule_set::slot& s) const;
  void run_fallbacks(const rule_set::slot& s, std::string_view text);
  void look_up_exact(const rule_set::slot& s, std::string_view text);
  void run_checks(const rule_set::slot& s, std::string_view text, const core::event_view& ev);
  void hit(std::uint32_t atom);
  static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                      unsigned int flags, void* context);

  std::shared_ptr<const rule_set> set_;
  scratch_ptr scratch_;
  fallback_matcher fallback_;
  std::vector<std::uint8_t> hits_;        // per atom
  std::vector<std::uint32_t> touched_;    // atoms set in hits_, to clear them cheaply
  std::vector<std::uint8_t> candidate_;   // per rule
  std::vector<std::uint32_t> candidates_; // rules to evaluate for this event
  core::event_view view_;                 // match(const event&): its fields as views
  std::string lowered_;                   // look_up_exact's case-folded text
  struct pending_scan {
    const rule_set::slot* slot;
    std::string_view text;
  };
  std::vector<pending_scan> deferred_;    // match(): the scans left until the lookups are done
  std::vector<pending_scan> lazy_;        // match(): texts for the slots' lazy databases, [0, lazy_count_)
  std::size_t lazy_count_ = 0;
  std::vector<std::uint32_t> pending_;    // per slot index: its deferred scans not yet done
  std::uint64_t scan_errors_ = 0;
  std::uint64_t fallback_limit_hits_ = 0;

  // Short texts scanned lately, with the atoms their slot's database matched in them (recorded
  // by on_match, whatever hits_ held): a text met again (an app_name, a hostname: syslog repeats
  // them line after line) has those hits replayed instead of being scanned again. Direct-mapped
  // by slot and text; a scan that matched more than memo_atoms atoms is not kept.
  static constexpr std::size_t memo_text = 22, memo_atoms = 4, memo_entries = 256;
  struct memo {
    std::uint32_t slot = UINT32_MAX;  // the slot's index; UINT32_MAX: empty
    std::uint8_t size = 0, atoms = 0;
    char text[memo_text];
    std::uint32_t hits[memo_atoms];
  };
  static std::size_t memo_index(std::uint32_t slot, std::string_view text);
  bool scan_memoized(const rule_set::slot& s, std::string_view text);  // false: not memoizable
  std::vector<memo> memos_;
  // While a memoized scan runs: the atoms it matched (how many, the first memo_atoms of them).
  bool recording_ = false;
  std::size_t recorded_ = 0;
  std::uint32_t record_[memo_atoms];
};

}  // namespace talaia::rules
