#include "collectors/syslog/cisco.hpp"

#include <string>

#include "collectors/syslog/time_zone.hpp"
#include "collectors/syslog/timestamp.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr std::int64_t micros_per_second = 1000000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::size_t word_end(std::string_view s, std::size_t pos) {
  const std::size_t end = s.find(' ', pos);
  return end == npos ? s.size() : end;
}

bool month_at(std::string_view s, std::size_t pos) {
  static constexpr std::string_view months = "janfebmaraprmayjunjulaugsepoctnovdec";
  if (pos + 4 > s.size() || s[pos + 3] != ' ') return false;
  std::string m;
  for (std::size_t i = 0; i < 3; ++i) m.push_back(static_cast<char>(s[pos + i] | 0x20));
  const std::size_t at = months.find(m);
  return at != npos && at % 3 == 0;
}

// `yyyy Mmm` (NX-OS puts the year first).
bool year_first_at(std::string_view s, std::size_t pos) {
  return pos + 9 <= s.size() && is_digit(s[pos]) && is_digit(s[pos + 1]) && is_digit(s[pos + 2]) &&
         is_digit(s[pos + 3]) && s[pos + 4] == ' ' && month_at(s, pos + 5);
}

bool clock_at(std::string_view s, std::size_t pos) {
  if (pos < s.size() && (s[pos] == '*' || s[pos] == '.')) ++pos;
  return month_at(s, pos) || year_first_at(s, pos);
}

// An IOS-XR node id such as `RP/0/RSP0/CPU0` or `LC/0/2/CPU0`, followed by ':' and a clock.
std::size_t node_end(std::string_view s, std::size_t pos) {
  std::size_t i = pos;
  bool slash = false;
  while (i < s.size() && s[i] != ':' && s[i] != ' ') slash |= s[i++] == '/';
  if (!slash || i == pos || i >= s.size() || s[i] != ':' || !clock_at(s, i + 1)) return npos;
  return i;
}

struct clock_reading {
  bool found = false;
  std::optional<std::int64_t> micros;
  char marker = 0;
  std::size_t end = 0;
};

clock_reading read_clock(std::string_view s, std::size_t pos, const parse_context& ctx) {
  clock_reading r;
  if (pos < s.size() && (s[pos] == '*' || s[pos] == '.')) r.marker = s[pos++];
  bsd_timestamp ts;
  if (year_first_at(s, pos)) {
    // `yyyy Mmm dd hh:mm:ss[.fff]` read as `Mmm dd yyyy hh:mm:ss[.fff]`: same length.
    std::size_t clock_start = pos + 9;
    while (clock_start < s.size() && s[clock_start] == ' ') ++clock_start;
    while (clock_start < s.size() && is_digit(s[clock_start])) ++clock_start;
    if (clock_start >= s.size() || s[clock_start] != ' ') return r;
    ++clock_start;
    std::string text(s.substr(pos + 5, clock_start - pos - 5));
    text.append(s.substr(pos, 5));
    text.append(s.substr(clock_start, 24));
    ts = parse_bsd_timestamp(text, ctx.received_micros, ctx.default_year);
  } else {
    ts = parse_bsd_timestamp(s.substr(pos), ctx.received_micros, ctx.default_year);
  }
  if (ts.state == bsd_timestamp::status::absent || ts.length == 0) return r;
  r.found = true;
  std::size_t i = pos + ts.length;
  // Optional zone abbreviation, then optional " :" and ":".
  std::optional<std::int32_t> offset;
  if (i + 1 < s.size() && s[i] == ' ' && is_alpha(s[i + 1])) {
    std::size_t j = i + 1;
    while (j < s.size() && is_alpha(s[j])) ++j;
    if (j - i - 1 <= 5 && j < s.size() && s[j] == ':') {
      offset = abbreviation_offset(s.substr(i + 1, j - i - 1));
      i = j;
    }
  }
  if (i + 1 < s.size() && s[i] == ' ' && s[i + 1] == ':') ++i;
  if (i < s.size() && s[i] == ':') ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  r.end = i;
  if (ts.state == bsd_timestamp::status::valid) {
    if (offset)
      r.micros = ts.micros - std::int64_t{*offset} * micros_per_second;
    else
      r.micros = ctx.zone != nullptr ? ctx.zone->to_utc(ts.micros) : ts.micros;
  }
  return r;
}

}  // namespace

std::optional<cisco_header> read_cisco_header(std::string_view s, std::size_t pos, const parse_context& ctx) {
  cisco_header h;
  std::size_t i = pos;
  // SEQ ": "
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i > pos && i + 1 < s.size() && s[i] == ':' && s[i + 1] == ' ') {
    h.sequence = s.substr(pos, i - pos);
    i += 2;
  } else {
    i = pos;
  }
  while (i < s.size() && s[i] == ' ') ++i;

  if (!clock_at(s, i)) {
    const std::size_t end = word_end(s, i);
    std::size_t node = node_end(s, i);
    if (node != npos) {  // NODE ":"
      h.node = s.substr(i, node - i);
      i = node + 1;
    } else if (end > i + 1 && end < s.size() && s[end - 1] == ':' && s[i] != '%' &&
               (!h.sequence.empty() || clock_at(s, end + 1))) {  // HOST ": "
      h.host = s.substr(i, end - 1 - i);
      i = end + 1;
    } else if (end < s.size() && !h.sequence.empty() && (node = node_end(s, end + 1)) != npos) {  // HOST " " NODE ":"
      h.host = s.substr(i, end - i);
      h.node = s.substr(end + 1, node - end - 1);
      i = node + 1;
    } else if (const std::size_t colon = s.find(": ", i);
               !h.sequence.empty() && colon != npos && colon - i <= 24 && clock_at(s, colon + 2)) {
      h.node = s.substr(i, colon - i);  // `CLC 6/0: ` (a line card)
      i = colon + 2;
    } else if (h.sequence.empty()) {
      return std::nullopt;
    }
  }
  if (h.sequence.empty() && h.host.empty() && h.node.empty() && !year_first_at(s, i)) return std::nullopt;

  if (clock_at(s, i)) {
    const clock_reading c = read_clock(s, i, ctx);
    if (c.found) {
      h.has_timestamp = true;
      h.micros = c.micros;
      h.clock_marker = c.marker;
      i = c.end;
    }
  }
  while (i < s.size() && s[i] == ' ') ++i;
  h.end = i;
  return h;
}

std::optional<cisco_tag> read_cisco_tag(std::string_view text) {
  if (text.size() < 6 || text[0] != '%') return std::nullopt;
  std::size_t end = 1;
  while (end < text.size() && text[end] != ':' && text[end] != ' ') ++end;
  const std::string_view tag = text.substr(1, end - 1);
  // The first "-d-" with a facility before it and a mnemonic after it.
  for (std::size_t i = 1; i + 2 < tag.size(); ++i) {
    if (tag[i] == '-' && is_digit(tag[i + 1]) && tag[i + 2] == '-' && i + 3 < tag.size()) {
      cisco_tag t;
      t.facility = tag.substr(0, i);
      t.severity = tag[i + 1] - '0';
      t.mnemonic = tag.substr(i + 3);
      if (t.severity > 7) return std::nullopt;
      // Cisco writes both in capitals (ASA mnemonics are message numbers).
      auto upper = [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-'; };
      if (t.facility[0] < 'A' || t.facility[0] > 'Z') return std::nullopt;
      for (char c : t.facility)
        if (!upper(c)) return std::nullopt;
      for (char c : t.mnemonic)
        if (!upper(c)) return std::nullopt;
      return t;
    }
  }
  return std::nullopt;
}

std::optional<cisco_tag> find_cisco_tag(std::string_view message) {
  const std::string_view head = message.substr(0, 256);
  for (std::size_t at = head.find('%'); at != npos; at = head.find('%', at + 1)) {
    if (at > 0 && message[at - 1] != ' ') continue;
    if (auto t = read_cisco_tag(message.substr(at))) return t;
  }
  return std::nullopt;
}

}  // namespace talaia::collectors::syslog
