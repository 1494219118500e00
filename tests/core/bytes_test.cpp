#include "core/bytes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace talaia::core {
namespace {

// find_text is std::string_view::find: every needle of a small alphabet at every start, in texts
// where it occurs never, once, overlapping itself, at either end or only in part.
TEST(bytes, find_text_finds_what_string_view_find_finds) {
  const std::string texts[] = {"", "a", "[", " [", "x [y [z", "CEF:0|a", "aCEF: CEF:1", "::::", "ab ab abab",
                               "LEEF:LEEF:", "no needle here at all", "[[[  [[", "e:e:e:"};
  const std::string needles[] = {"", "[", " [", "CEF:", "LEEF:", "::", "abab", "e:e:", "here at all", "x"};
  for (const auto& text : texts)
    for (const auto& needle : needles)
      for (std::size_t from = 0; from <= text.size() + 1; ++from)
        EXPECT_EQ(find_text(text, needle, from), std::string_view(text).find(needle, from))
            << '"' << text << "\" \"" << needle << "\" " << from;
}

}  // namespace
}  // namespace talaia::core
