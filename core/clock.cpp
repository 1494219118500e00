#include "core/clock.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "core/decimal.hpp"

namespace talaia::core {

std::int64_t now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// Howard Hinnant's civil-date algorithms.
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2));
}

std::string format_rfc3339(std::int64_t micros) {
  char buf[rfc3339_max];
  return std::string(buf, format_rfc3339(micros, buf));
}

namespace {
std::size_t format_rfc3339_afresh(std::int64_t micros, char (&buf)[rfc3339_max]);
}  // namespace

std::size_t format_rfc3339(std::int64_t micros, char (&buf)[rfc3339_max]) {
  // The last two times written, whole: a replay writes the same receive time for every line
  // beside each line's own time, and a burst of events shares its second.
  struct cached_time {
    std::int64_t micros = 0;
    std::size_t size = 0;  // 0: nothing kept yet
    char text[rfc3339_max] = {};
  };
  thread_local cached_time recent[2];
  thread_local unsigned older = 0;
  for (unsigned i = 0; i < 2; ++i)
    if (recent[i].size != 0 && recent[i].micros == micros) {
      std::memcpy(buf, recent[i].text, rfc3339_max);
      older = i ^ 1;
      return recent[i].size;
    }
  // Written into the cache, then copied whole: fixed-size copies cost no call.
  cached_time& kept = recent[older];
  kept.micros = micros;
  kept.size = format_rfc3339_afresh(micros, kept.text);
  std::memcpy(buf, kept.text, rfc3339_max);
  older ^= 1;
  return kept.size;
}

namespace {
void put2(char* at, unsigned v) { std::memcpy(at, digit_pairs + 2 * v, 2); }

std::size_t format_rfc3339_afresh(std::int64_t micros, char (&buf)[rfc3339_max]) {
  std::int64_t secs = micros / 1000000;
  std::int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  std::int64_t minute = secs / 60;
  std::int64_t second = secs % 60;
  if (second < 0) {
    second += 60;
    minute -= 1;
  }
  // Consecutive times mostly share their minute (a flow packet's records, a burst of lines): the
  // text up to it ("YYYY-MM-DDTHH:MM:") of the last two minutes met is kept (two: an event's own
  // time and its receive time alternate), and the rest is written two digits at a time (snprintf,
  // then a digit at a time, dominated replay profiles).
  struct cached_minute {
    std::int64_t minute = INT64_MIN;
    char text[18] = {};  // and snprintf's NUL
    bool fits = false;   // a four-digit year
  };
  thread_local cached_minute cache[2];
  thread_local unsigned older = 0;
  cached_minute* hit = cache[0].minute == minute ? &cache[0] : cache[1].minute == minute ? &cache[1] : nullptr;
  if (hit == nullptr) {
    hit = &cache[older];
    older ^= 1;
    std::int64_t days = minute / 1440;
    std::int64_t of_day = minute % 1440;
    if (of_day < 0) {
      of_day += 1440;
      days -= 1;
    }
    int y;
    unsigned mo, d;
    civil_from_days(days, y, mo, d);
    hit->minute = minute;
    hit->fits = y >= 0 && y <= 9999;
    if (hit->fits)
      std::snprintf(hit->text, sizeof hit->text, "%04d-%02u-%02uT%02d:%02d:", y, mo, d, static_cast<int>(of_day / 60),
                    static_cast<int>(of_day % 60));
  }
  int n;
  if (hit->fits) {
    std::memcpy(buf, hit->text, 17);
    put2(buf + 17, static_cast<unsigned>(second));
    n = 19;
    if (frac != 0) {
      const auto f = static_cast<unsigned>(frac);
      buf[19] = '.';
      put2(buf + 20, f / 10000);
      put2(buf + 22, f / 100 % 100);
      put2(buf + 24, f % 100);
      n = 26;
    }
  } else {
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
      rem += 86400;
      days -= 1;
    }
    int y;
    unsigned mo, d;
    civil_from_days(days, y, mo, d);
    n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", y, mo, d,
                      static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                      static_cast<int>(rem % 60));
    if (frac != 0) n += std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(frac));
  }
  buf[n++] = 'Z';
  return static_cast<std::size_t>(n);
}
}  // namespace

char* rfc3339_writer::write_afresh(char* p, std::int64_t micros, std::int64_t second) {
  char text[rfc3339_max];
  const std::size_t n = format_rfc3339(micros, text);
  // Only the usual form is kept: a four-digit year, then the seconds at 17-18.
  if (n >= 20 && text[4] == '-' && (text[19] == '.' || text[19] == 'Z')) {
    // Four: a flow record's start and end times, each in one of two seconds, and the packet's
    // receive time.
    kept_second& k = kept_[oldest_];
    oldest_ = (oldest_ + 1) % kept_count;
    k.second = second;
    std::memcpy(k.text, text, 19);
  }
  std::memcpy(p, text, n);
  return p + n;
}

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 6) frac = frac * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (; n < 6; ++n) frac *= 10;
  }
  if (i >= s.size()) return std::nullopt;
  std::int64_t offset = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om))
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return secs * 1000000 + frac;
}

}  // namespace talaia::core
