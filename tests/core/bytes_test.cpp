#include "core/bytes.hpp"

#include <gtest/gtest.h>

#include <cstring>
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

// find_near is std::string_view::find of one byte: the byte within the first sixteen, beyond
// them, absent, at either end, from every start.
TEST(bytes, find_near_finds_what_string_view_find_finds) {
  for (std::size_t size = 0; size <= 40; ++size)
    for (std::size_t at = 0; at <= size; ++at) {  // at == size: absent
      std::string text(size, 'x');
      if (at < size) text[at] = ' ';
      if (at + 20 < size) text[at + 20] = ' ';
      for (std::size_t from = 0; from <= size + 1; ++from)
        ASSERT_EQ(find_near(text, ' ', from), std::string_view(text).find(' ', from)) << size << ' ' << at << ' ' << from;
    }
}

// move_bytes is memmove: every length up to past its inline cases, every overlap either way.
TEST(bytes, move_bytes_moves_as_memmove_does) {
  for (std::size_t n = 0; n <= 40; ++n)
    for (std::size_t from = 0; from <= 12; ++from)
      for (std::size_t to = 0; to <= 12; ++to) {
        std::string mine(64, '.'), theirs(64, '.');
        for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = theirs[i] = static_cast<char>('A' + i % 26);
        move_bytes(mine.data() + to, mine.data() + from, n);
        std::memmove(theirs.data() + to, theirs.data() + from, n);
        ASSERT_EQ(mine, theirs) << n << ' ' << from << ' ' << to;
      }
}

// Network byte order at any offset, high bytes set (no sign extension).
TEST(bytes, big_endian_reads_at_any_offset) {
  const std::string b("\x00\xFF\xFE\x80\x01\x02\x03\x04\x05\x06\x07\x08\x09", 13);
  EXPECT_EQ(be16(b, 1), 0xFFFEu);
  EXPECT_EQ(be32(b, 1), 0xFFFE8001u);
  EXPECT_EQ(be32(b, 9), 0x06070809u);
  EXPECT_EQ(be64(b, 1), 0xFFFE800102030405ull);
  EXPECT_EQ(be64(b, 5), 0x0203040506070809ull);
}

}  // namespace
}  // namespace talaia::core
