#include "rules/scanner.hpp"

#include "core/bytes.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <span>

namespace talaia::rules {

core::result<scanner> scanner::make(std::shared_ptr<const rule_set> set) {
  if (!set) return core::make_error("scanner needs a rule set");
  core::result<scratch_ptr> scratch = alloc_scratch(set->databases());
  if (!scratch) return scratch.err();
  core::result<fallback_matcher> fallback = fallback_matcher::make();
  if (!fallback) return fallback.err();
  return scanner(std::move(set), std::move(scratch).value(), std::move(fallback).value());
}

scanner::scanner(std::shared_ptr<const rule_set> set, scratch_ptr scratch, fallback_matcher fallback)
    : set_(std::move(set)),
      scratch_(std::move(scratch)),
      fallback_(std::move(fallback)),
      hits_(set_->atom_count(), 0),
      candidate_(set_->rules().size(), 0),
      pending_(set_->slot_count(), 0),
      memos_(memo_entries) {
  touched_.reserve(set_->atom_count());
  candidates_.reserve(set_->rules().size());
}

void scanner::match(const core::event& ev, std::vector<std::size_t>& matched_rules) {
  view_.assign(ev);
  match(view_, matched_rules);
}

void scanner::match(const core::event_view& ev, std::vector<std::size_t>& matched_rules) {
  reset();
  // First what is decided without scanning (equality lookups, presence, cidr, numbers), so that
  // the scans can be skipped where no rule that needs them passes its gates.
  // Shorter texts first: their hits can close the gates of the longer ones.
  // Room for a scan per field, and for lazy scans of a field's slot and the keywords' per
  // string field: written by position, without push_back's growth check on every field.
  const std::size_t n = ev.fields().size();
  if (deferred_.size() < n) deferred_.resize(n);
  if (lazy_.size() < 2 * n + 1) lazy_.resize(2 * n + 1);
  std::size_t deferred = 0;
  lazy_count_ = 0;
  for (const core::field_view& f : ev.fields())
    if (const rule_set::slot* s = set_->find_slot(f.name)) {
      decide_directly(*s, f.text, ev);
      if (s->db || s->lazy_db || !s->fallbacks.empty()) {
        deferred_[deferred++] = {s, f.text};
        ++pending_[s->index];
      }
    }
  const auto scans = std::span(deferred_).first(deferred);
  std::sort(scans.begin(), scans.end(),
            [](const pending_scan& a, const pending_scan& b) { return a.text.size() < b.text.size(); });
  // A slot not worth scanning has no rule that can pass its gates: its lazy atoms cannot matter.
  for (const auto& [s, text] : scans) {
    if (worth_scanning(*s)) {
      scan_patterns(*s, text);
      if (s->lazy_db) lazy_[lazy_count_++] = {s, text};
    }
    --pending_[s->index];
  }

  const rule_set::slot& keywords = set_->keyword_slot();
  if ((keywords.db || keywords.lazy_db || !keywords.present_atoms.empty() || !keywords.empty_atoms.empty() ||
       !keywords.fallbacks.empty()) && worth_scanning(keywords)) {
    const auto scan_keywords = [&](std::string_view text) {
      scan(keywords, text, ev);
      if (keywords.lazy_db) lazy_[lazy_count_++] = {&keywords, text};
    };
    if (const core::field_view* raw = ev.find("raw")) {
      scan_keywords(raw->text);
    } else {
      for (const core::field_view& f : ev.fields())
        if (f.type == core::field_type::string) scan_keywords(f.text);
    }
  }

  for (std::uint32_t r : set_->always_evaluated()) {
    if (candidate_[r]) continue;
    candidate_[r] = 1;
    candidates_.push_back(r);
  }
  // Lazy atoms trigger no rule: their hits add no candidate, they only inform the evaluation.
  for (const auto& [s, text] : std::span(lazy_).first(lazy_count_))
    for (std::uint32_t r : s->lazy_rules)
      if (candidate_[r]) {
        scan_database(s->lazy_db.get(), *s, text);
        break;
      }
  std::sort(candidates_.begin(), candidates_.end());
  const match_input in{hits_, ev};
  for (std::uint32_t r : candidates_)
    if (matches(set_->rules()[r].detection, in)) matched_rules.push_back(r);
}

bool scanner::worth_scanning(const rule_set::slot& s) const {
  if (!s.gated) return true;
  const std::vector<std::uint32_t>& atoms = set_->gate_atoms();
  for (std::uint32_t r : s.gated_rules) {
    bool open = true;
    for (const rule_set::gate& g : set_->gates_of(r)) {
      bool any = g.scanned && pending_[g.slot] != 0;  // not decided yet: may still hit
      for (std::uint32_t i = g.begin; i < g.end && !any; ++i) any = hits_[atoms[i]] != 0;
      if (!any) {
        open = false;
        break;
      }
    }
    if (open) return true;
  }
  return false;
}

void scanner::reset() {
  for (std::uint32_t a : touched_) hits_[a] = 0;
  touched_.clear();
  for (std::uint32_t r : candidates_) candidate_[r] = 0;
  candidates_.clear();
}

void scanner::scan(const rule_set::slot& s, std::string_view text, const core::event_view& ev) {
  decide_directly(s, text, ev);
  scan_patterns(s, text);
}

void scanner::decide_directly(const rule_set::slot& s, std::string_view text, const core::event_view& ev) {
  for (std::uint32_t a : s.present_atoms) hit(a);
  if (text.empty())
    for (std::uint32_t a : s.empty_atoms) hit(a);
  if (!s.checks.empty()) run_checks(s, text, ev);
  if (!text.empty() && text.size() <= s.exact_longest) look_up_exact(s, text);
}

void scanner::scan_patterns(const rule_set::slot& s, std::string_view text) {
  if (!s.fallbacks.empty()) run_fallbacks(s, text);
  if (scan_memoized(s, text)) return;
  scan_database(s.db.get(), s, text);
}

std::size_t scanner::memo_index(std::uint32_t slot, std::string_view text) {
  char head[8] = {}, tail[8] = {};
  core::move_bytes(head, text.data(), std::min<std::size_t>(text.size(), 8));
  if (text.size() > 8) core::move_bytes(tail, text.data() + text.size() - 8, 8);
  std::uint64_t h = (std::uint64_t{slot} << 8 | text.size()) * 0x9E3779B97F4A7C15ULL;
  h = (h ^ core::load_word<std::uint64_t>(head)) * 0x9E3779B97F4A7C15ULL;
  h = (h ^ core::load_word<std::uint64_t>(tail)) * 0x9E3779B97F4A7C15ULL;
  return static_cast<std::size_t>(h >> 56);  // memo_entries buckets
}

bool scanner::scan_memoized(const rule_set::slot& s, std::string_view text) {
  if (!s.db || text.empty() || text.size() > memo_text) return false;
  memo& m = memos_[memo_index(s.index, text)];
  if (m.slot == s.index && m.size == text.size() && core::same_bytes(m.text, text.data(), text.size())) {
    for (std::size_t i = 0; i < m.atoms; ++i) hit(m.hits[i]);
    return true;
  }
  recording_ = true;
  recorded_ = 0;
  const std::uint64_t errors = scan_errors_;
  scan_database(s.db.get(), s, text);
  recording_ = false;
  if (scan_errors_ == errors && recorded_ <= memo_atoms) {
    m.slot = s.index;
    m.size = static_cast<std::uint8_t>(text.size());
    m.atoms = static_cast<std::uint8_t>(recorded_);
    std::copy_n(text.data(), text.size(), m.text);
    std::copy_n(record_, recorded_, m.hits);
  }
  return true;
}

void scanner::scan_database(const hs_database_t* db, const rule_set::slot& s, std::string_view text) {
  if (!db || (text.empty() && !s.scan_empty)) return;  // generated patterns never match empty
  if (text.size() > std::numeric_limits<unsigned int>::max()) {  // beyond what hs_scan takes
    ++scan_errors_;
    return;
  }
  hs_error_t status = hs_scan(db, text.data(), static_cast<unsigned int>(text.size()), 0, scratch_.get(),
                              &scanner::on_match, this);
  if (status != HS_SUCCESS) ++scan_errors_;
}

void scanner::look_up_exact(const rule_set::slot& s, std::string_view text) {
  // The tables are in exact_order, by length first: the values of the text's length are found
  // by their lengths alone, then the few of them compared whole (a binary search when many).
  using values = std::vector<rule_set::exact_value>;
  const auto run_of_length = [n = text.size()](const values& v) {
    const auto shorter = [](const rule_set::exact_value& x, std::size_t k) { return x.text.size() < k; };
    auto begin = std::lower_bound(v.begin(), v.end(), n, shorter);
    auto end = begin;
    while (end != v.end() && end->text.size() == n) ++end;
    return std::pair{begin, end};
  };
  const auto hit_equal = [&](values::const_iterator it, values::const_iterator end, std::string_view key) {
    if (end - it > 8) {  // the run equal to the key, by bytes
      it = std::lower_bound(it, end, key, [](const rule_set::exact_value& v, std::string_view k) { return std::string_view(v.text) < k; });
      for (; it != end && core::same_bytes(it->text.data(), key.data(), key.size()); ++it) hit(it->atom);
      return;
    }
    for (; it != end; ++it)
      if (core::same_bytes(it->text.data(), key.data(), key.size())) hit(it->atom);
  };
  if (!s.exact_cased.empty()) {
    const auto [begin, end] = run_of_length(s.exact_cased);
    hit_equal(begin, end, text);
  }
  // Folding keeps the length: with no caseless value of this length there is nothing to fold for.
  const auto [begin, end] = run_of_length(s.exact_caseless);
  if (begin == end) return;
  lowered_.resize(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    lowered_[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;  // as HS_FLAG_CASELESS folds
  }
  hit_equal(begin, end, lowered_);
}

void scanner::run_checks(const rule_set::slot& s, std::string_view text, const core::event_view& ev) {
  // The text is parsed as an address, or as a number, once for all the checks of the slot.
  std::optional<ip_address> address;
  std::optional<std::optional<double>> number;
  for (const rule_set::check& c : s.checks) {
    const matcher& m = c.what;
    bool held = false;
    switch (m.kind) {
      case matcher_kind::cidr:
        if (!address) address = parse_ip(text);
        held = in_network(*address, m.net);
        break;
      case matcher_kind::compare:
        if (!number) {
          double n = 0;
          number = parse_number(text, n) ? std::optional<double>(n) : std::nullopt;
        }
        held = number->has_value() && compare_holds(**number, m.op, m.number);
        break;
      case matcher_kind::fieldref: {
        const core::field_view* other = ev.find(m.other_field);
        held = other != nullptr && fieldref_holds(text, other->text, m.how, m.cased);
        break;
      }
      default: break;
    }
    if (held) hit(c.atom);
  }
}

void scanner::run_fallbacks(const rule_set::slot& s, std::string_view text) {
  for (const rule_set::fallback& f : s.fallbacks) {
    if (hits_[f.atom]) continue;
    switch (fallback_.match(f.code.get(), text)) {
      case fallback_outcome::match: hit(f.atom); break;
      case fallback_outcome::no_match: break;
      case fallback_outcome::limit: ++fallback_limit_hits_; break;
      case fallback_outcome::error: ++scan_errors_; break;
    }
  }
}

void scanner::hit(std::uint32_t atom) {
  if (hits_[atom]) return;
  hits_[atom] = 1;
  touched_.push_back(atom);
  for (std::uint32_t r : set_->rules_of(atom)) {
    if (candidate_[r]) continue;
    candidate_[r] = 1;
    candidates_.push_back(r);
  }
}

int scanner::on_match(unsigned int id, unsigned long long, unsigned long long, unsigned int,
                      void* context) {
  auto* self = static_cast<scanner*>(context);
  if (self->recording_) {
    if (self->recorded_ < memo_atoms) self->record_[self->recorded_] = id;
    ++self->recorded_;
  }
  self->hit(id);
  return 0;  // keep scanning: other patterns may still match
}

}  // namespace talaia::rules
