#include "collectors/syslog/time_zone.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>

#include "core/bytes.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::int64_t micros_per_second = 1000000;

using core::be32;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::int32_t> parse_utc_offset(std::string_view t) {
  if (t == "Z" || t == "z") return 0;
  if (t.size() < 2 || (t[0] != '+' && t[0] != '-')) return std::nullopt;
  const int sign = t[0] == '-' ? -1 : 1;
  t.remove_prefix(1);
  int hours = 0, minutes = 0;
  if (t.size() <= 2 && std::all_of(t.begin(), t.end(), is_digit)) {
    for (char c : t) hours = hours * 10 + (c - '0');
  } else if (t.size() == 4 && std::all_of(t.begin(), t.end(), is_digit)) {
    hours = (t[0] - '0') * 10 + (t[1] - '0');
    minutes = (t[2] - '0') * 10 + (t[3] - '0');
  } else if (t.size() == 5 && t[2] == ':' && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[3]) && is_digit(t[4])) {
    hours = (t[0] - '0') * 10 + (t[1] - '0');
    minutes = (t[3] - '0') * 10 + (t[4] - '0');
  } else {
    return std::nullopt;
  }
  if (hours > 14 || minutes > 59) return std::nullopt;
  return sign * (hours * 3600 + minutes * 60);
}

std::optional<std::int32_t> abbreviation_offset(std::string_view a) {
  struct entry {
    std::string_view name;
    std::int32_t hours_x4;  // quarter hours
  };
  static constexpr std::array<entry, 24> table{{
      {"UTC", 0},   {"GMT", 0},    {"UT", 0},     {"Z", 0},      {"WET", 0},   {"WEST", 4},
      {"CET", 4},   {"CEST", 8},   {"MET", 4},    {"MEST", 8},   {"EET", 8},   {"EEST", 12},
      {"MSK", 12},  {"IST", 22},   {"JST", 36},   {"AEST", 40},  {"AEDT", 44}, {"EST", -20},
      {"EDT", -16}, {"CST", -24},  {"CDT", -20},  {"MST", -28},  {"MDT", -24}, {"PST", -32},
  }};
  if (iequals(a, "PDT")) return -7 * 3600;
  for (const auto& e : table)
    if (iequals(a, e.name)) return e.hours_x4 * 900;
  return std::nullopt;
}

time_zone time_zone::fixed(std::int32_t offset_seconds, std::string name) {
  time_zone z;
  z.name_ = std::move(name);
  z.offsets_.push_back(offset_seconds);
  return z;
}

std::optional<time_zone> time_zone::from_tzif(std::string_view b, std::string name) {
  constexpr std::size_t header = 44;
  if (b.size() < header || b.substr(0, 4) != "TZif") return std::nullopt;
  auto counts = [&](std::size_t at, std::array<std::uint32_t, 6>& c) {
    for (std::size_t i = 0; i < 6; ++i) c[i] = be32(b, at + 20 + 4 * i);
  };
  std::array<std::uint32_t, 6> c{};  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  std::size_t time_size = 4;
  std::size_t at = header;
  if (b[4] >= '2') {  // skip the 32-bit block, read the 64-bit one
    const std::uint64_t v1 = std::uint64_t(c[3]) * 5 + std::uint64_t(c[4]) * 6 + c[5] + std::uint64_t(c[2]) * 8 + c[1] + c[0];
    if (b.size() < header + v1 + header) return std::nullopt;
    at = header + v1;
    if (b.substr(at, 4) != "TZif") return std::nullopt;
    counts(at, c);
    at += header;
    time_size = 8;
  }
  const std::uint64_t need = std::uint64_t(c[3]) * (time_size + 1) + std::uint64_t(c[4]) * 6;
  if (c[4] == 0 || b.size() - at < need) return std::nullopt;
  const std::size_t types_at = at + c[3] * (time_size + 1);
  auto type_offset = [&](std::size_t type) { return static_cast<std::int32_t>(be32(b, types_at + 6 * type)); };

  time_zone z;
  z.name_ = std::move(name);
  // Before the first transition: the first non-DST type (RFC 8536 §3.2), else type 0.
  std::size_t first = 0;
  for (std::size_t t = 0; t < c[4]; ++t)
    if (b[types_at + 6 * t + 4] == 0) {
      first = t;
      break;
    }
  z.offsets_.push_back(type_offset(first));
  for (std::size_t i = 0; i < c[3]; ++i) {
    const std::int64_t when = time_size == 8 ? static_cast<std::int64_t>(core::be64(b, at + 8 * i)) : static_cast<std::int32_t>(be32(b, at + 4 * i));
    const auto type = static_cast<std::uint8_t>(b[at + c[3] * time_size + i]);
    if (type >= c[4]) return std::nullopt;
    if (!z.transitions_.empty() && when <= z.transitions_.back()) return std::nullopt;
    z.transitions_.push_back(when);
    z.offsets_.push_back(type_offset(type));
  }
  return z;
}

core::result<time_zone> time_zone::make(std::string_view name, const std::string& zoneinfo_dir) {
  if (iequals(name, "UTC") || iequals(name, "GMT")) return fixed(0, std::string(name));
  if (auto offset = parse_utc_offset(name)) return fixed(*offset, std::string(name));
  const std::string text(name);
  if (text.empty() || text[0] == '/' || text.find("..") != std::string::npos)
    return core::make_error("unknown time zone \"" + text + "\" (an IANA name such as Europe/Madrid, or +hh:mm)");
  std::ifstream in(zoneinfo_dir + "/" + text, std::ios::binary);
  if (!in) return core::make_error("unknown time zone \"" + text + "\" (no " + zoneinfo_dir + "/" + text + ")");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto z = from_tzif(bytes, text);
  if (!z) return core::make_error("time zone file " + zoneinfo_dir + "/" + text + " is not a TZif file");
  return std::move(*z);
}

std::int32_t time_zone::offset_at(std::int64_t utc_seconds) const {
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  return offsets_[static_cast<std::size_t>(it - transitions_.begin())];
}

std::int64_t time_zone::to_utc(std::int64_t local_micros) const {
  std::int64_t local = local_micros / micros_per_second;
  if (local_micros < 0 && local_micros % micros_per_second != 0) --local;
  // Try the offsets in force around that time, earliest instant first.
  const std::int32_t before = offset_at(local - 86400);
  const std::int32_t after = offset_at(local + 86400);
  for (std::int32_t offset : {std::max(before, after), std::min(before, after)})
    if (offset_at(local - offset) == offset) return local_micros - std::int64_t{offset} * micros_per_second;
  return local_micros - std::int64_t{before} * micros_per_second;
}

}  // namespace talaia::collectors::syslog
