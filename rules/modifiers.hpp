#pragma once
// Sigma value modifiers: parsing the `field|mod|mod` chain and turning one value, under those
// modifiers, into the matchers the engine runs. Pure; used by the loader at load time only.
//
// Semantics (pySigma's where the specification is silent):
// * contains / startswith / endswith: where the value may sit; at most one of them.
// * all: every value of the list must match.  neq: no value may match (true when the field is
//   absent).  cased: case-sensitive.  exists: true/false, the field is there or not.
// * re (+ i, m, s): a PCRE-style regex, case-sensitive, unanchored, `.` not matching newline
//   unless `s`; alone (only all, neq and i/m/s beside it).
// * wide = utf16le, utf16be, utf16 (UTF-16LE with byte order mark), base64, base64offset, windash:
//   rewrite the value, in the order written. base64 and base64offset need a value without
//   wildcards and match case-sensitively (base64 text is case-significant).
// * cidr (IPv4/IPv6), lt/lte/gt/gte (numeric), fieldref (another field's value): alone, or
//   fieldref with contains/startswith/endswith and cased.
// * expand: `%name%` placeholders replaced by each value the config gives `name`.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/matcher.hpp"

namespace talaia::rules {

using placeholder_map = std::map<std::string, std::vector<std::string>, std::less<>>;

enum class encoding_step : std::uint8_t { utf16le, utf16be, utf16, base64, base64offset, windash };

enum class value_type : std::uint8_t { string, re, cidr, compare, exists, fieldref };

struct modifier_set {
  match_kind kind = match_kind::equals;
  bool kind_given = false;
  bool all = false, neq = false, cased = false, expand = false;
  bool re_i = false, re_m = false, re_s = false;
  value_type type = value_type::string;
  compare_op op = compare_op::lt;
  std::vector<encoding_step> encodings;  // in the order written
};

// Parses the modifiers after the field name (`key` is the whole `field|mod|mod` text). Every
// problem is appended to `errors`.
modifier_set parse_modifiers(std::string_view key, bool keyword, std::vector<std::string>& errors);

struct value_outcome {
  std::vector<matcher> matchers;
  bool negate = false;  // `exists: false`
  std::string error;    // the value is unusable (rule refused)
  std::string warning;  // the value is kept but something is off (e.g. placeholder without value)
};

value_outcome make_matchers(const std::string& text, const modifier_set& mods,
                            const placeholder_map& placeholders);

}  // namespace talaia::rules
