#pragma once
// How one Sigma value becomes something the engine can match: a Hyperscan regex, or, for values
// that would match the empty string, a direct test on the field (present / present and empty).
//
// Sigma wildcards: `*` is any run of characters, `?` exactly one. Only `\*`, `\?` and `\\` are
// escapes; a backslash before any other character is a literal backslash (`C:\Windows\*` is the
// folder's contents). Matching is case-insensitive; the caller compiles with HS_FLAG_CASELESS.
// Pure functions, no Hyperscan calls.
#include <cstdint>
#include <string>
#include <string_view>

namespace talaia::rules {

enum class match_kind : std::uint8_t { equals, contains, startswith, endswith };

enum class pattern_kind : std::uint8_t {
  regex,    // run `regex` over the field's text
  present,  // true for any text, including empty (`*`, `contains: ''`)
  empty,    // true only for empty text (`field: ''`)
};

struct pattern {
  pattern_kind kind = pattern_kind::regex;
  std::string regex;  // empty unless kind == regex; never matches the empty string
};

pattern to_pattern(std::string_view sigma_value, match_kind kind);

std::string_view to_string(match_kind kind);

}  // namespace talaia::rules
