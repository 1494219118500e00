#pragma once
// What one alternative of one Sigma value tests on a field's text. The loader turns every value
// (after its modifiers) into one or more matchers; rule_set gives each distinct matcher an atom:
// regexes go to Hyperscan (or to the PCRE2 fallback), the rest are decided directly on the text
// by the pure functions below, on the scanner's thread, without allocating.
#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "rules/pattern.hpp"

namespace talaia::rules {

enum class matcher_kind : std::uint8_t {
  regex,     // `regex` over the text (Hyperscan syntax)
  present,   // the field is there, whatever its text
  empty,     // the field is there and empty
  cidr,      // the text is an IP address inside `net`
  compare,   // the text is a number and `number op value` holds
  fieldref,  // the text equals (contains, starts or ends with) another field's text
};

enum class compare_op : std::uint8_t { lt, lte, gt, gte };

struct ip_network {
  std::array<std::uint8_t, 16> addr{};  // IPv4 in the first 4 bytes
  std::uint8_t prefix = 0;
  bool v6 = false;
  auto operator<=>(const ip_network&) const = default;
};

struct matcher {
  matcher_kind kind = matcher_kind::regex;
  // regex
  std::string regex;
  bool caseless = true, dotall = true, multiline = false;
  bool user_regex = false;  // from `re`: may run on the PCRE2 fallback if Hyperscan refuses it
  // The whole text `regex` stands for when it is a plain equality (no wildcard): the rule set
  // looks such values up instead of scanning them. Empty otherwise.
  std::string literal;
  // compare
  compare_op op = compare_op::lt;
  double number = 0;
  // cidr
  ip_network net;
  // fieldref
  std::string other_field;
  match_kind how = match_kind::equals;
  bool cased = false;

  auto operator<=>(const matcher&) const = default;
};

// "10.0.0.0/8", "2001:db8::/32", or an address alone (a /32 or /128). Refuses host bits set
// after the prefix, as pySigma does. Returns false on anything else.
bool parse_network(std::string_view text, ip_network& out);
bool in_network(std::string_view address_text, const ip_network& net);
// The same in two steps, for a text tested against several networks: parse it once.
struct ip_address {
  std::array<std::uint8_t, 16> addr{};
  bool v6 = false;
  bool valid = false;  // the text was an IPv4 or IPv6 address
};
ip_address parse_ip(std::string_view address_text);
bool in_network(const ip_address& address, const ip_network& net);

// Parses the whole text as a decimal number (integer or float, optional sign); false otherwise.
bool parse_number(std::string_view text, double& out);
bool compare_holds(std::string_view text, compare_op op, double value);
bool compare_holds(double number, compare_op op, double value);  // the text already parsed

bool fieldref_holds(std::string_view text, std::string_view other, match_kind how, bool cased);

}  // namespace talaia::rules
