#pragma once
// How one Sigma value becomes something the engine can match: a Hyperscan regex, or, for values
// that would match the empty string, a direct test on the field (present / present and empty).
//
// Sigma wildcards: `*` is any run of characters, `?` exactly one. Only `\*`, `\?` and `\\` are
// escapes; a backslash before any other character is a literal backslash (`C:\Windows\*` is the
// folder's contents). A value is first parsed into a sigma_string (literal bytes, wildcards and
// `windash` dash classes) so that encoding modifiers (wide, base64, ...) can rewrite its literal
// parts before it becomes a regex. Case is the compiler's business (HS_FLAG_CASELESS or not).
// Pure functions, no Hyperscan calls.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace talaia::rules {

enum class match_kind : std::uint8_t { equals, contains, startswith, endswith };

enum class piece : std::uint8_t {
  literal,  // the byte `c`
  any_run,  // `*`
  any_one,  // `?`
  dash,     // `windash`: one of - / en dash, em dash, horizontal bar
};

struct token {
  piece kind = piece::literal;
  char c = 0;
  bool operator==(const token&) const = default;
};

using sigma_string = std::vector<token>;

// Parses wildcards and Sigma's three escapes.
sigma_string parse_sigma_string(std::string_view value);
// Every byte a literal (no wildcards): for values built from other data, e.g. base64 output.
sigma_string literal_string(std::string_view bytes);
// True when the string has no wildcard and no dash class; then plain_text() is its bytes.
bool is_plain(const sigma_string& s);
std::string plain_text(const sigma_string& s);

enum class pattern_kind : std::uint8_t {
  regex,    // run `regex` over the field's text
  present,  // true for any text, including empty (`*`, `contains: ''`)
  empty,    // true only for empty text (`field: ''`)
};

struct pattern {
  pattern_kind kind = pattern_kind::regex;
  std::string regex;  // empty unless kind == regex; never matches the empty string
};

pattern to_pattern(const sigma_string& value, match_kind kind);
pattern to_pattern(std::string_view sigma_value, match_kind kind);  // parse_sigma_string first

std::string_view to_string(match_kind kind);

}  // namespace talaia::rules
