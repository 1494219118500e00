#pragma once
// Decimal digits of unsigned integers written two at a time, inline: the collectors write a
// dozen integers into every flow record's JSON, and a call to std::to_chars (with its length pass
// and range checks) cost as much as the digits.
#include <cstdint>
#include <cstring>

namespace talaia::core {

inline constexpr char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes `v` at `p` (at most 20 characters) and returns the end, as std::to_chars does. Always
// inlined: a flow record's JSON writer took 7 % fewer instructions with it than with a call.
[[gnu::always_inline]] inline char* write_decimal(char* p, std::uint64_t v) {
  unsigned n = 1;  // the digit count, four at a time
  for (std::uint64_t t = v;; t /= 10000, n += 4) {
    if (t < 10) break;
    if (t < 100) {
      n += 1;
      break;
    }
    if (t < 1000) {
      n += 2;
      break;
    }
    if (t < 10000) {
      n += 3;
      break;
    }
  }
  char* const end = p + n;
  char* q = end;
  while (v >= 100) {
    q -= 2;
    std::memcpy(q, digit_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10) {
    q -= 2;
    std::memcpy(q, digit_pairs + 2 * v, 2);
  } else {
    *--q = static_cast<char>('0' + v);
  }
  return end;
}

}  // namespace talaia::core
