#pragma once
// Byte comparisons for the hot paths (field names, short values): inline for the short lengths
// they mostly have, where a call to memcmp costs more than the comparison. And big-endian reads
// of the binary formats (NetFlow, IPFIX, sFlow, TZif).
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace talaia::core {

// A word of sizeof(word_t) bytes read from p, as it lies in memory.
template <typename word_t>
inline word_t load_word(const char* p) {
  word_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Big-endian unsigned integers at `p` (the caller checked the length): one load and a byte swap.
inline std::uint64_t load_be16(const unsigned char* p) { return (std::uint64_t{p[0]} << 8) | p[1]; }
inline std::uint64_t load_be32(const unsigned char* p) { return __builtin_bswap32(load_word<std::uint32_t>(reinterpret_cast<const char*>(p))); }
inline std::uint64_t load_be64(const unsigned char* p) { return __builtin_bswap64(load_word<std::uint64_t>(reinterpret_cast<const char*>(p))); }
// The same at offset `at` of `b`.
inline const unsigned char* bytes_at(std::string_view b, std::size_t at) { return reinterpret_cast<const unsigned char*>(b.data() + at); }
inline std::uint32_t be16(std::string_view b, std::size_t at) { return static_cast<std::uint32_t>(load_be16(bytes_at(b, at))); }
inline std::uint32_t be32(std::string_view b, std::size_t at) { return static_cast<std::uint32_t>(load_be32(bytes_at(b, at))); }
inline std::uint64_t be64(std::string_view b, std::size_t at) { return load_be64(bytes_at(b, at)); }

// n bytes, sizeof(word_t) <= n <= 2 * sizeof(word_t), as two overlapping words: the first and
// the last of the n bytes.
template <typename word_t>
inline bool same_by_two_words(const char* a, const char* b, std::size_t n) {
  const std::size_t last = n - sizeof(word_t);
  return ((load_word<word_t>(a) ^ load_word<word_t>(b)) | (load_word<word_t>(a + last) ^ load_word<word_t>(b + last))) == 0;
}
template <typename word_t>
inline void move_by_two_words(char* to, const char* from, std::size_t n) {
  const std::size_t last = n - sizeof(word_t);
  const word_t first_word = load_word<word_t>(from), last_word = load_word<word_t>(from + last);  // both read first
  std::memcpy(to, &first_word, sizeof(word_t));
  std::memcpy(to + last, &last_word, sizeof(word_t));
}

inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8 && n <= 16) return same_by_two_words<std::uint64_t>(a, b, n);
  if (n >= 4 && n < 8) return same_by_two_words<std::uint32_t>(a, b, n);
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  return std::memcmp(a, b, n) == 0;
}

// memmove(to, from, n) (the ranges may overlap), inline for up to 16 bytes: every byte is read
// before any is written.
inline void move_bytes(char* to, const char* from, std::size_t n) {
  if (n >= 8 && n <= 16) {
    move_by_two_words<std::uint64_t>(to, from, n);
  } else if (n >= 4 && n < 8) {
    move_by_two_words<std::uint32_t>(to, from, n);
  } else if (n > 0 && n < 4) {
    const char a = from[0], b = from[n / 2], c = from[n - 1];
    to[0] = a;
    to[n / 2] = b;
    to[n - 1] = c;
  } else if (n > 16) {
    std::memmove(to, from, n);
  }
}

inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

// The first `c` in `s` at or after `from`, or npos: std::string_view::find(c, from), for a byte
// mostly near `from` (the space after a header word): the next sixteen bytes are looked at
// inline, memchr is called only beyond them.
inline std::size_t find_near(std::string_view s, char c, std::size_t from = 0) {
  constexpr std::size_t npos = std::string_view::npos;
  if (from >= s.size()) return npos;
#if defined(__SSE2__)
  if (s.size() - from >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + from));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(c))));
    if (mask != 0) return from + static_cast<std::size_t>(__builtin_ctz(mask));
    from += 16;
  }
#endif
  const void* at = std::memchr(s.data() + from, c, s.size() - from);
  return at == nullptr ? npos : static_cast<std::size_t>(static_cast<const char*>(at) - s.data());
}

// The first `needle` in `s` at or after `from`, or npos: what std::string_view::find returns.
// It looks for the needle's last byte with memchr, where find() calls memchr at every occurrence
// of its first byte: needles that end in a byte rare in the text (`" ["`, `"CEF:"`) cost a call
// or two instead of one per space or capital in the text.
inline std::size_t find_text(std::string_view s, std::string_view needle, std::size_t from = 0) {
  constexpr std::size_t npos = std::string_view::npos;
  const std::size_t n = needle.size();
  if (from > s.size() || s.size() - from < n) return npos;
  if (n == 0) return from;
  const char last = needle[n - 1];
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  for (const char* q = begin + from + n - 1; q < end;) {
    q = static_cast<const char*>(std::memchr(q, last, static_cast<std::size_t>(end - q)));
    if (q == nullptr) return npos;
    const char* start = q - (n - 1);
    if (same_bytes(start, needle.data(), n - 1)) return static_cast<std::size_t>(start - begin);
    ++q;
  }
  return npos;
}

}  // namespace talaia::core
