#include "collectors/syslog/rfc3164.hpp"

#include <cstddef>
#include <optional>

#include "collectors/syslog/cisco.hpp"
#include "collectors/syslog/time_zone.hpp"
#include "collectors/syslog/timestamp.hpp"
#include "core/bytes.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::size_t npos = std::string_view::npos;

std::size_t skip_spaces(std::string_view s, std::size_t pos) {
  while (pos < s.size() && s[pos] == ' ') ++pos;
  return pos;
}

std::size_t word_end(std::string_view s, std::size_t pos) {
  const std::size_t end = core::find_near(s, ' ', pos);
  return end == npos ? s.size() : end;
}

struct tag {
  std::string_view app_name;
  std::string_view procid;
  std::size_t message_start = 0;
};

// `name: ` / `name:` at the end, or `name[pid]` followed by `:`, a space or the end; the one
// space after the tag belongs to it. `name` stops at a space, `:` or `[`; a number followed by
// `:` is a sequence number (Cisco), not a tag.
std::optional<tag> read_tag(std::string_view s, std::size_t pos) {
  std::size_t i = pos;
  while (i < s.size() && s[i] != ' ' && s[i] != ':' && s[i] != '[') ++i;
  if (i == pos || i >= s.size() || s[i] == ' ') return std::nullopt;
  tag t;
  t.app_name = s.substr(pos, i - pos);
  if (s[i] == '[') {
    std::size_t j = i + 1;
    while (j < s.size() && s[j] != ']' && s[j] != ' ') ++j;
    if (j >= s.size() || s[j] != ']' || j == i + 1) return std::nullopt;
    t.procid = s.substr(i + 1, j - i - 1);
    i = j + 1;
    if (i < s.size() && s[i] == ':') ++i;
    else if (i < s.size() && s[i] != ' ') return std::nullopt;
  } else {  // ':'
    if (t.app_name.find_first_not_of("0123456789") == npos) return std::nullopt;  // "521: " (Cisco)
    ++i;
    if (i < s.size() && s[i] != ' ') return std::nullopt;  // "host:port", IPv6, "a:b"
  }
  if (i < s.size() && s[i] == ' ') ++i;
  t.message_start = i;
  return t;
}

// A Junos event tag at the start of a message: `RT_FLOW_SESSION_CLOSE: `, capitals, digits and
// at least one underscore, then `: `.
std::string_view junos_event_tag(std::string_view m) {
  std::size_t i = 0;
  bool underscore = false;
  while (i < m.size() && ((m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= '0' && m[i] <= '9') || m[i] == '_')) {
    underscore |= m[i] == '_';
    ++i;
  }
  if (i < 3 || !underscore || m[0] < 'A' || m[0] > 'Z' || i + 1 >= m.size() || m[i] != ':' || m[i + 1] != ' ')
    return {};
  return m.substr(0, i);
}

}  // namespace

parse_outcome parse_rfc3164(std::string_view s, const parse_context& ctx, core::event& out) {
  parse_outcome result;
  std::size_t pos = skip_spaces(s, 0);  // "<12> Jul 14 ..." happens

  // TIMESTAMP
  bool has_timestamp = false;
  bool has_hostname = false;
  std::optional<std::int64_t> micros;
  if (starts_like_iso_date(s.substr(pos))) {
    const std::size_t end = word_end(s, pos);
    const std::string_view text = s.substr(pos, end - pos);
    micros = parse_iso_timestamp(text);
    if (micros && ctx.zone != nullptr && !iso_has_offset(text)) micros = ctx.zone->to_utc(*micros);
    has_timestamp = true;
    pos = end;
  } else {
    const bsd_timestamp ts = parse_bsd_timestamp(s.substr(pos), ctx.received_micros,
                                                 ctx.default_year);
    if (ts.state == bsd_timestamp::status::absent) {
      if (auto cisco = read_cisco_header(s, pos, ctx)) {
        result.cisco_sequence = cisco->sequence;
        result.cisco_node = cisco->node;
        result.clock_marker = cisco->clock_marker;
        has_timestamp = cisco->has_timestamp;
        micros = cisco->micros;
        if (!cisco->host.empty()) {
          out.set_time("timestamp", micros.value_or(ctx.received_micros));
          out.set_string("hostname", cisco->host);
          has_hostname = true;
        }
        pos = cisco->end;
      }
    } else if (ts.state == bsd_timestamp::status::invalid && ts.length == 0) {
      // Not even its shape: the rest cannot be placed, keep it all as the message.
      out.set_time("timestamp", ctx.received_micros);
      result.error = errors::bad_timestamp;
      result.message = s.substr(pos);
      return result;
    } else {
      has_timestamp = true;
      pos += ts.length;
      if (ts.state == bsd_timestamp::status::valid)
        micros = ctx.zone != nullptr ? ctx.zone->to_utc(ts.micros) : ts.micros;
    }
  }
  if (has_timestamp && !micros) result.error = errors::bad_timestamp;
  result.has_time = micros.has_value();
  out.set_time("timestamp", micros.value_or(ctx.received_micros));

  // HOSTNAME, only after a timestamp, and only when the word is not already the tag.
  std::optional<tag> t;
  if (has_timestamp && !has_hostname) {
    pos = skip_spaces(s, pos);
    if (pos < s.size()) {
      t = read_tag(s, pos);
      if (!t) {
        const std::size_t end = word_end(s, pos);
        out.set_string("hostname", s.substr(pos, end - pos));
        pos = end < s.size() ? end + 1 : end;
        // `host : %FTD-6-305012: ...` (Cisco FTD)
        if (pos + 1 < s.size() && s[pos] == ':' && s[pos + 1] == ' ') pos += 2;
      }
    }
  }

  // TAG
  if (!t && pos < s.size()) t = read_tag(s, pos);
  if (t) {
    out.set_string("app_name", t->app_name);
    if (!t->procid.empty()) out.set_string("procid", t->procid);
    result.app_name = t->app_name;
    pos = t->message_start;
  }
  result.message = s.substr(pos);
  if (const std::string_view event_tag = junos_event_tag(result.message); !event_tag.empty())
    out.set_string("msgid", event_tag);
  return result;
}

}  // namespace talaia::collectors::syslog
