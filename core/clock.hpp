#pragma once
// Time as microseconds since the Unix epoch, and its RFC 3339 UTC text form.
// Pure functions except now_micros(), the one place that reads the system clock.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Accepts RFC 3339 with any number of fractional digits (kept to microseconds), "Z" or ±hh:mm.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace talaia::core
