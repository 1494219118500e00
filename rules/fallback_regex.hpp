#pragma once
// The fallback engine for `re` values Hyperscan cannot compile: PCRE2 (8-bit, no JIT), run under
// a match limit, a depth limit and a heap limit, since it runs over untrusted text. The only
// place PCRE2 statuses are converted (fallback_status). Compiled codes are immutable and shared;
// each scanner owns one fallback_matcher (match data and context), reused for every event.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace talaia::rules {

struct pcre2_code_deleter {
  void operator()(pcre2_code* c) const noexcept { pcre2_code_free(c); }
};
struct pcre2_match_data_deleter {
  void operator()(pcre2_match_data* d) const noexcept { pcre2_match_data_free(d); }
};
struct pcre2_match_context_deleter {
  void operator()(pcre2_match_context* c) const noexcept { pcre2_match_context_free(c); }
};
using pcre2_code_ptr = std::unique_ptr<pcre2_code, pcre2_code_deleter>;

// Limits of one fallback match: past them the value counts as not matched, and the scanner
// counts the event in fallback_limit_hits().
inline constexpr std::uint32_t fallback_match_limit = 100000;  // backtracking steps
inline constexpr std::uint32_t fallback_depth_limit = 10000;
inline constexpr std::uint32_t fallback_heap_limit_kib = 4096;

struct regex_options {
  bool caseless = false, dotall = false, multiline = false;
};

// Compiles `regex`; the error is PCRE2's message with the offset.
core::result<pcre2_code_ptr> compile_fallback(const std::string& regex, regex_options options);

enum class fallback_outcome : std::uint8_t { match, no_match, limit, error };

// The one conversion of a pcre2_match() return code.
fallback_outcome fallback_status(int rc);

class fallback_matcher {
 public:
  static core::result<fallback_matcher> make();
  // Never throws; allocates only when PCRE2 first grows its frame vector for a deep match.
  fallback_outcome match(const pcre2_code* code, std::string_view text);

 private:
  std::unique_ptr<pcre2_match_data, pcre2_match_data_deleter> data_;
  std::unique_ptr<pcre2_match_context, pcre2_match_context_deleter> context_;
};

}  // namespace talaia::rules
