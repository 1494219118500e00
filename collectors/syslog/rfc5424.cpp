#include "collectors/syslog/rfc5424.hpp"

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>

#include "collectors/syslog/time_zone.hpp"
#include "collectors/syslog/timestamp.hpp"
#include "core/bytes.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::string_view nil = "-";
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::size_t npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// SD-NAME characters: printable US-ASCII except `=`, space, `]` and `"`.
bool is_sd_name_char(char c) { return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"'; }

// Undoes `\"`, `\\` and `\]`; any other backslash is a plain backslash (RFC 5424 §6.3.3).
void unescape_param_value(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() &&
        (raw[i + 1] == '"' || raw[i + 1] == '\\' || raw[i + 1] == ']'))
      ++i;
    out.push_back(raw[i]);
  }
}

// Reads SD-ELEMENTs from `pos` (which holds `[`). Returns the position after the last `]`, or
// npos when they are malformed. With `out`, sets each param as `sd.<sd-id>.<param>`; call it
// without `out` first so that nothing is set for malformed structured data.
std::size_t scan_structured_data(std::string_view s, std::size_t pos, core::event* out) {
  std::string name;
  std::string value;
  while (pos < s.size() && s[pos] == '[') {
    const std::size_t id_start = ++pos;
    while (pos < s.size() && is_sd_name_char(s[pos])) ++pos;
    if (pos == id_start) return npos;
    const std::string_view id = s.substr(id_start, pos - id_start);
    for (;;) {
      if (pos >= s.size()) return npos;
      if (s[pos] == ']') {
        ++pos;
        break;
      }
      if (s[pos] != ' ') return npos;
      const std::size_t param_start = ++pos;
      while (pos < s.size() && is_sd_name_char(s[pos])) ++pos;
      if (pos == param_start) return npos;
      const std::string_view param = s.substr(param_start, pos - param_start);
      if (pos + 1 >= s.size() || s[pos] != '=' || s[pos + 1] != '"') return npos;
      pos += 2;
      const std::size_t value_start = pos;
      bool escaped = false;
      while (pos < s.size() && s[pos] != '"') {
        if (s[pos] == '\\') {
          escaped = true;
          ++pos;  // the next byte cannot close the value
        }
        ++pos;
      }
      if (pos >= s.size()) return npos;
      const std::string_view raw_value = s.substr(value_start, pos - value_start);
      ++pos;  // closing quote
      if (out == nullptr) continue;
      name.assign("sd.").append(id).append(".").append(param);
      if (escaped) {
        unescape_param_value(raw_value, value);
        out->set_string(name, value);
      } else {
        out->set_string(name, raw_value);
      }
    }
  }
  return pos;
}

std::string_view without_bom(std::string_view msg) {
  if (msg.substr(0, utf8_bom.size()) == utf8_bom) msg.remove_prefix(utf8_bom.size());
  return msg;
}

}  // namespace

bool is_rfc5424(std::string_view s) {
  if (s.empty() || s[0] < '1' || s[0] > '9') return false;
  std::size_t i = 1;
  while (i < s.size() && i < 3 && is_digit(s[i])) ++i;
  if (i >= s.size() || s[i] != ' ') return false;
  const std::string_view ts = s.substr(i + 1);
  return (!ts.empty() && ts[0] == '-' && (ts.size() == 1 || ts[1] == ' ')) ||
         starts_like_iso_date(ts);
}

parse_outcome parse_rfc5424(std::string_view s, const parse_context& ctx, core::event& out) {
  parse_outcome result;
  std::size_t pos = s.find(' ') + 1;  // after VERSION; is_rfc5424() saw the space

  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each followed by one space.
  static constexpr std::string_view names[] = {"timestamp", "hostname", "app_name", "procid",
                                               "msgid"};
  for (std::size_t field = 0; field < std::size(names); ++field) {
    if (pos >= s.size()) {
      if (result.error.empty()) result.error = errors::truncated_header;
      return result;
    }
    std::size_t end = core::find_near(s, ' ', pos);
    if (end == npos) end = s.size();
    const std::string_view token = s.substr(pos, end - pos);
    if (token.empty()) {  // two spaces in a row
      if (result.error.empty()) result.error = errors::bad_header;
      result.message = s.substr(pos);
      return result;
    }
    pos = end == s.size() ? end : end + 1;
    if (field == 0) {
      std::optional<std::int64_t> micros;
      if (token != nil) {
        micros = parse_iso_timestamp(token);
        if (!micros) result.error = errors::bad_timestamp;
        else if (ctx.zone != nullptr && !iso_has_offset(token)) micros = ctx.zone->to_utc(*micros);
        result.has_time = micros.has_value();
      }
      out.set_time(names[field], micros.value_or(ctx.received_micros));
    } else if (token != nil) {
      out.set_string(names[field], token);
      if (field == 2) result.app_name = token;
    }
  }
  if (pos >= s.size()) {  // no STRUCTURED-DATA
    if (result.error.empty()) result.error = errors::truncated_header;
    return result;
  }

  // STRUCTURED-DATA: `-` or one or more `[...]`, then the end or a space and MSG.
  std::size_t sd_end = npos;
  if (s[pos] == '-')
    sd_end = pos + 1;
  else if (s[pos] == '[')
    sd_end = scan_structured_data(s, pos, nullptr);
  if (sd_end == npos || (sd_end < s.size() && s[sd_end] != ' ')) {
    if (result.error.empty()) result.error = errors::bad_structured_data;
    result.message = s.substr(pos);
    return result;
  }
  if (s[pos] == '[') scan_structured_data(s, pos, &out);
  if (sd_end < s.size()) result.message = without_bom(s.substr(sd_end + 1));
  return result;
}

}  // namespace talaia::collectors::syslog
