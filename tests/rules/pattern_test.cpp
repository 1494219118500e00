#include "rules/pattern.hpp"

#include <gtest/gtest.h>

namespace talaia::rules {
namespace {

std::string regex(std::string_view value, match_kind kind) {
  pattern p = to_pattern(value, kind);
  EXPECT_EQ(p.kind, pattern_kind::regex) << value;
  return p.regex;
}

TEST(pattern, anchors_follow_the_match_kind) {
  EXPECT_EQ(regex("sshd", match_kind::equals), "\\Asshd\\z");
  EXPECT_EQ(regex("sshd", match_kind::startswith), "\\Asshd");
  EXPECT_EQ(regex("sshd", match_kind::endswith), "sshd\\z");
  EXPECT_EQ(regex("sshd", match_kind::contains), "sshd");
}

TEST(pattern, wildcards_become_dot_star_and_dot) {
  EXPECT_EQ(regex("a*b?c", match_kind::equals), "\\Aa.*b.c\\z");
  EXPECT_EQ(regex("a**b", match_kind::equals), "\\Aa.*b\\z");  // runs collapse
}

TEST(pattern, wildcard_next_to_an_anchor_lifts_it) {
  EXPECT_EQ(regex("*cmd.exe", match_kind::equals), "cmd\\.exe\\z");
  EXPECT_EQ(regex("C:\\\\*", match_kind::equals), "\\AC\\:\\\\");  // `C:\\*`
  EXPECT_EQ(regex("*x*", match_kind::equals), "x");
}

TEST(pattern, only_star_question_and_backslash_are_escaped) {
  // C:\Windows\* : `\W` stays a backslash and a W, while `\*` is a literal star.
  EXPECT_EQ(regex("C:\\Windows\\*", match_kind::equals), "\\AC\\:\\\\Windows\\*\\z");
  // C:\Windows\\* : an escaped backslash, then a wildcard: the folder's contents.
  EXPECT_EQ(regex("C:\\Windows\\\\*", match_kind::equals), "\\AC\\:\\\\Windows\\\\");
  // \* is a literal star, \? a literal question mark, \\ one backslash.
  EXPECT_EQ(regex("a\\*b", match_kind::equals), "\\Aa\\*b\\z");
  EXPECT_EQ(regex("a\\?b", match_kind::equals), "\\Aa\\?b\\z");
  EXPECT_EQ(regex("a\\\\*", match_kind::equals), "\\Aa\\\\");  // literal backslash, then wildcard
  EXPECT_EQ(regex("a\\", match_kind::equals), "\\Aa\\\\\\z");   // trailing lone backslash
}

TEST(pattern, regex_metacharacters_and_bytes_are_escaped) {
  EXPECT_EQ(regex("a.b(c)[d]{2}+|^$", match_kind::contains),
            "a\\.b\\(c\\)\\[d\\]\\{2\\}\\+\\|\\^\\$");
  EXPECT_EQ(regex(std::string("a\tb\xc3\xa9", 5), match_kind::contains), "a\\x09b\\xc3\\xa9");
  EXPECT_EQ(regex("two words", match_kind::contains), "two words");
}

TEST(pattern, values_matching_empty_text_are_direct_tests) {
  EXPECT_EQ(to_pattern("", match_kind::equals).kind, pattern_kind::empty);
  EXPECT_EQ(to_pattern("*", match_kind::equals).kind, pattern_kind::present);
  EXPECT_EQ(to_pattern("**", match_kind::endswith).kind, pattern_kind::present);
  EXPECT_EQ(to_pattern("", match_kind::contains).kind, pattern_kind::present);
  EXPECT_EQ(to_pattern("", match_kind::startswith).kind, pattern_kind::present);
  EXPECT_EQ(to_pattern("", match_kind::endswith).kind, pattern_kind::present);
  EXPECT_EQ(to_pattern("?", match_kind::equals).kind, pattern_kind::regex);
  EXPECT_EQ(to_pattern("\\*", match_kind::equals).kind, pattern_kind::regex);
}

}  // namespace
}  // namespace talaia::rules
