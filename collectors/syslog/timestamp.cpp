#include "collectors/syslog/timestamp.hpp"

#include <algorithm>
#include <optional>

#include "core/clock.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::int64_t micros_per_second = 1000000;
constexpr std::int64_t seconds_per_day = 86400;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// 1..12 for a three-letter English month abbreviation in any case, 0 otherwise.
int month_number(std::string_view s) {
  static constexpr std::string_view names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return 0;
  const char a = lower(s[0]), b = lower(s[1]), c = lower(s[2]);
  for (int m = 0; m < 12; ++m)
    if (names[m][0] == a && names[m][1] == b && names[m][2] == c) return m + 1;
  return 0;
}

std::int64_t to_micros(int year, int month, int day, int hour, int minute, int second,
                       std::int64_t frac) {
  const std::int64_t days = core::days_from_civil(year, static_cast<unsigned>(month),
                                                  static_cast<unsigned>(day));
  return (days * seconds_per_day + hour * 3600 + minute * 60 + second) * micros_per_second + frac;
}

int year_of(std::int64_t micros) {
  std::int64_t days = micros / micros_per_second / seconds_per_day;
  if (micros < 0 && micros % (micros_per_second * seconds_per_day) != 0) --days;
  // Messages of one source mostly arrive on one day: its year is kept.
  thread_local std::int64_t last_days = INT64_MIN;
  thread_local int last_year = 0;
  if (days != last_days) {
    unsigned month, day;
    core::civil_from_days(days, last_year, month, day);
    last_days = days;
  }
  return last_year;
}

}  // namespace

bool iso_has_offset(std::string_view text) {
  return text.size() > 19 && (text.back() == 'Z' || text.back() == 'z' ||
                              text.find_first_of("+-", 19) != std::string_view::npos);
}

bool starts_like_iso_date(std::string_view text) {
  return text.size() >= 5 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) &&
         is_digit(text[3]) && text[4] == '-';
}

std::optional<std::int64_t> parse_iso_timestamp(std::string_view text) {
  int year, month, day;
  if (text.size() < 19 || !read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
      !read_digits(text, 8, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;

  // Without an offset the text ends right after the seconds or their fraction.
  std::size_t end = 19;
  if (end < text.size() && text[end] == '.') {
    ++end;
    while (end < text.size() && is_digit(text[end])) ++end;
  }
  if (end != text.size()) return core::parse_rfc3339(text);

  // Local time without zone: taken as UTC. Fraction digits past nanoseconds change nothing.
  char buf[19 + 1 + 9 + 1];
  const std::size_t keep = std::min(text.size(), std::size_t{19 + 1 + 9});
  std::copy_n(text.data(), keep, buf);
  buf[keep] = 'Z';
  return core::parse_rfc3339(std::string_view(buf, keep + 1));
}

bsd_timestamp parse_bsd_timestamp(std::string_view s, std::int64_t received_micros,
                                  int default_year) {
  using status = bsd_timestamp::status;
  const int month = month_number(s);
  // "Mmm " then a digit or a space-padded digit; anything else is not a timestamp attempt.
  if (month == 0 || s.size() < 5 || s[3] != ' ' ||
      !(is_digit(s[4]) || (s[4] == ' ' && s.size() > 5 && is_digit(s[5]))))
    return {};
  const bsd_timestamp broken{status::invalid, 0, 0};

  std::size_t i = 4;
  if (s[i] == ' ') ++i;
  int day = s[i++] - '0';
  if (i < s.size() && is_digit(s[i])) day = day * 10 + (s[i++] - '0');
  if (i >= s.size() || s[i] != ' ') return broken;
  ++i;

  int year = 0;
  if (read_digits(s, i, 4, year) && i + 4 < s.size() && s[i + 4] == ' ') {
    i += 5;
  } else {
    year = 0;
  }

  int hour, minute, second;
  if (!read_digits(s, i, 2, hour) || i + 2 >= s.size() || s[i + 2] != ':' ||
      !read_digits(s, i + 3, 2, minute) || i + 5 >= s.size() || s[i + 5] != ':' ||
      !read_digits(s, i + 6, 2, second))
    return broken;
  i += 8;

  std::int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t n = 0;
    for (; i < s.size() && is_digit(s[i]); ++i, ++n)
      if (n < 6) frac = frac * 10 + (s[i] - '0');
    for (; n < 6; ++n) frac *= 10;
  }
  if (i < s.size() && s[i] == ':') ++i;  // Cisco: "Apr 15 2007 21:28:13: %PIX-..."
  if (i < s.size() && s[i] != ' ') return broken;

  bsd_timestamp out{status::invalid, i, 0};
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return out;

  if (year == 0) year = default_year;
  std::optional<std::int64_t> micros;  // of `year`, when known already
  if (year == 0) {
    // Place the date between 11 months before and 1 month after receipt (clock skew and
    // delivery across New Year).
    year = year_of(received_micros);
    micros = to_micros(year, month, day, hour, minute, second, frac);
    constexpr std::int64_t day_micros = seconds_per_day * micros_per_second;
    if (*micros > received_micros + 31 * day_micros) {
      --year;
      micros.reset();
    } else if (*micros < received_micros - 335 * day_micros) {
      ++year;
      micros.reset();
    }
  }
  if (day > days_in_month(year, month)) return out;
  out.state = status::valid;
  out.micros = micros ? *micros : to_micros(year, month, day, hour, minute, second, frac);
  return out;
}

}  // namespace talaia::collectors::syslog
