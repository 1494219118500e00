#include "collectors/syslog/access_log.hpp"

#include <string>

#include "collectors/syslog/time_zone.hpp"
#include "core/bytes.hpp"
#include "core/clock.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int two(std::string_view s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// `dd/Mon/yyyy:hh:mm:ss +zzzz` to UTC microseconds.
std::optional<std::int64_t> read_time(std::string_view t) {
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() != 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' || t[17] != ':' || t[20] != ' ')
    return std::nullopt;
  for (std::size_t i : {0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19})
    if (!is_digit(t[i])) return std::nullopt;
  const std::size_t m = months.find(t.substr(3, 3));
  const auto offset = parse_utc_offset(t.substr(21));
  if (m == npos || m % 3 != 0 || !offset) return std::nullopt;
  const int day = two(t, 0), year = two(t, 7) * 100 + two(t, 9);
  const int hour = two(t, 12), minute = two(t, 15), second = two(t, 18);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::int64_t days = core::days_from_civil(year, static_cast<unsigned>(m / 3 + 1), static_cast<unsigned>(day));
  return ((days * 86400 + hour * 3600 + minute * 60 + second) - *offset) * std::int64_t{1000000};
}

// A double-quoted field at s[pos] (backslash escapes skipped over); its inside, pos past it.
bool quoted(std::string_view s, std::size_t& pos, std::string_view& value) {
  if (pos >= s.size() || s[pos] != '"') return false;
  std::size_t i = pos + 1;
  while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
  if (i >= s.size()) return false;
  value = s.substr(pos + 1, i - pos - 1);
  pos = i + 1;
  return true;
}

bool number_or_dash(std::string_view v) {
  if (v == "-") return true;
  if (v.empty() || v.size() > 18) return false;
  for (char c : v)
    if (!is_digit(c)) return false;
  return true;
}

std::int64_t to_number(std::string_view v) {
  std::int64_t n = 0;
  for (char c : v) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

std::optional<std::int64_t> parse_access_log(std::string_view s, core::event& out) {
  // client ident user [time] "request" status bytes ["referer" "agent" ...]
  const std::size_t open = core::find_text(s, " [");
  if (open == npos || open == 0 || open > 512) return std::nullopt;
  const std::size_t close = s.find(']', open);
  if (close == npos || close != open + 28) return std::nullopt;
  const auto when = read_time(s.substr(open + 2, 26));
  if (!when) return std::nullopt;
  // Before the time: the client (possibly a list), ident and user, from the right.
  const std::string_view who = s.substr(0, open);
  const std::size_t user_at = who.rfind(' ');
  if (user_at == npos || user_at == 0) return std::nullopt;
  const std::size_t ident_at = who.rfind(' ', user_at - 1);
  if (ident_at == npos || ident_at == 0) return std::nullopt;
  // The client is the word before ident, or a list `a, b, c` (nginx X-Forwarded-For); text
  // before it (a syslog header the line arrived without PRI) is not part of it.
  std::size_t client_at = who.rfind(' ', ident_at - 1);
  while (client_at != npos && client_at > 0 && who[client_at - 1] == ',')
    client_at = client_at >= 2 ? who.rfind(' ', client_at - 2) : npos;
  client_at = client_at == npos ? 0 : client_at + 1;
  std::string_view client = who.substr(client_at, ident_at - client_at);
  const std::string_view user = who.substr(user_at + 1);
  if (client.empty()) return std::nullopt;
  if (const std::size_t comma = client.find(','); comma != npos) client = client.substr(0, comma);

  std::size_t pos = close + 1;
  if (pos >= s.size() || s[pos] != ' ') return std::nullopt;
  ++pos;
  std::string_view request;
  if (!quoted(s, pos, request) || pos >= s.size() || s[pos] != ' ') return std::nullopt;
  const std::size_t status_at = pos + 1;
  const std::size_t status_end = s.find(' ', status_at);
  const std::string_view status = s.substr(status_at, status_end == npos ? npos : status_end - status_at);
  if (status.size() != 3 || !number_or_dash(status)) return std::nullopt;
  std::string_view bytes;
  std::string_view referer;
  std::string_view agent;
  if (status_end != npos) {
    const std::size_t bytes_at = status_end + 1;
    const std::size_t bytes_end = s.find(' ', bytes_at);
    bytes = s.substr(bytes_at, bytes_end == npos ? npos : bytes_end - bytes_at);
    if (!number_or_dash(bytes)) return std::nullopt;
    if (bytes_end != npos) {
      pos = bytes_end + 1;
      if (quoted(s, pos, referer) && pos + 1 < s.size() && s[pos] == ' ') {
        ++pos;
        quoted(s, pos, agent);
      }
    }
  }

  auto set = [&](std::string_view name, std::string_view v) {
    if (!v.empty() && v != "-") out.set_string(name, v);
  };
  set("c-ip", client);
  set("cs-username", user);
  const std::string text = core::format_rfc3339(*when);  // yyyy-mm-ddThh:mm:ss...Z
  out.set_string("date", std::string_view(text).substr(0, 10));
  out.set_string("time", std::string_view(text).substr(11, 8));
  // "METHOD URI VERSION"
  const std::size_t sp1 = request.find(' ');
  if (sp1 != npos) {
    set("cs-method", request.substr(0, sp1));
    std::string_view uri = request.substr(sp1 + 1);
    std::string_view version;
    if (const std::size_t sp2 = uri.rfind(' '); sp2 != npos) {
      version = uri.substr(sp2 + 1);
      uri = uri.substr(0, sp2);
    }
    // SigmaHQ's webserver rules look for paths and parameters together in cs-uri-query
    // (`cs-uri-query|contains|all: ['/geoserver/ows', 'CQL_FILTER=']`): it holds the whole
    // request URI, as cs-uri does; cs-uri-stem the path alone.
    const std::size_t q = uri.find('?');
    set("cs-uri-stem", uri.substr(0, q));
    set("cs-uri-query", uri);
    set("cs-uri", uri);
    set("cs-version", version);
  }
  if (status != "-") out.set_integer("sc-status", to_number(status));
  if (!bytes.empty() && bytes != "-") out.set_integer("sc-bytes", to_number(bytes));
  set("cs-referer", referer);
  set("cs-user-agent", agent);
  return when;
}

}  // namespace talaia::collectors::syslog
