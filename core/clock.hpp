#pragma once
// Time as microseconds since the Unix epoch, and its RFC 3339 UTC text form.
// Pure functions except now_micros(), the one place that reads the system clock.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/decimal.hpp"

namespace talaia::core {

std::int64_t now_micros();

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day);

// "2026-11-27T04:25:42Z", or with ".123456" when there is a fraction of a second.
std::string format_rfc3339(std::int64_t micros);
// The same into `out`, without allocating: returns the length.
inline constexpr std::size_t rfc3339_max = 40;
std::size_t format_rfc3339(std::int64_t micros, char (&out)[rfc3339_max]);

// format_rfc3339 written straight into a buffer, for writers of many times in a row (a flow
// packet's records): the text up to the second of the last four seconds met is kept here, so a
// time in one of them costs a fixed-size copy and its fraction's digits, without a call.
class rfc3339_writer {
 public:
  // Writes what format_rfc3339 writes for `micros` at `p`, which has room for rfc3339_max bytes
  // (a whole second's text is copied before the end is known); returns the end.
  [[gnu::always_inline]] char* write(char* p, std::int64_t micros) {
    std::int64_t second = micros / 1000000;
    std::int64_t frac = micros % 1000000;
    if (frac < 0) frac += 1000000, second -= 1;
    const kept_second* k = kept_;
    while (k->second != second)
      if (++k == kept_ + kept_count) [[unlikely]]
        return write_afresh(p, micros, second);
    std::memcpy(p, k->text, sizeof k->text);
    p += 19;
    if (frac != 0) {
      const auto f = static_cast<unsigned>(frac);
      *p = '.';
      std::memcpy(p + 1, digit_pairs + 2 * (f / 10000), 2);
      std::memcpy(p + 3, digit_pairs + 2 * (f / 100 % 100), 2);
      std::memcpy(p + 5, digit_pairs + 2 * (f % 100), 2);
      p += 7;
    }
    *p = 'Z';
    return p + 1;
  }

 private:
  struct kept_second {
    std::int64_t second = INT64_MIN;
    char text[24] = {};  // "YYYY-MM-DDTHH:MM:SS", copied whole
  };
  char* write_afresh(char* p, std::int64_t micros, std::int64_t second);
  static constexpr unsigned kept_count = 4;
  kept_second kept_[kept_count];
  unsigned oldest_ = 0;
};

// Accepts RFC 3339 with any number of fractional digits (kept to microseconds), "Z" or ±hh:mm.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace talaia::core
