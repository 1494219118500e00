#include "collectors/syslog/parser.hpp"

#include <cstddef>

#include "collectors/syslog/body.hpp"
#include "collectors/syslog/rfc3164.hpp"
#include "collectors/syslog/rfc5424.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr int max_pri = 191;  // facility 23 (local7), severity 7

// `<PRIVAL>` with 1-3 digits and a value of at most 191: the PRI's length, or 0.
std::size_t read_pri(std::string_view line, int& pri) {
  if (line.size() < 3 || line[0] != '<') return 0;
  pri = 0;
  std::size_t i = 1;
  for (; i < line.size() && i <= 4 && line[i] >= '0' && line[i] <= '9'; ++i)
    pri = pri * 10 + (line[i] - '0');
  if (i == 1 || i > 4 || i >= line.size() || line[i] != '>' || pri > max_pri) return 0;
  return i + 1;
}

}  // namespace

void parse(std::string_view line, const parse_context& ctx, core::event& out) {
  out.set_string("kind", "syslog");
  out.set_time("received", ctx.received_micros);
  if (!ctx.peer.empty()) out.set_ip("peer", ctx.peer);

  int pri = 0;
  const std::size_t pri_length = read_pri(line, pri);
  parse_outcome outcome;
  if (pri_length == 0) {
    out.set_time("timestamp", ctx.received_micros);
    outcome.message = line;
    outcome.error = line.empty() ? errors::empty_line : errors::bad_pri;
  } else {
    out.set_integer("facility", pri / 8);
    out.set_integer("severity", pri % 8);
    const std::string_view rest = line.substr(pri_length);
    outcome = is_rfc5424(rest) ? parse_rfc5424(rest, ctx, out) : parse_rfc3164(rest, ctx, out);
  }

  if (!outcome.message.empty()) out.set_string("message", outcome.message);
  out.set_string("raw", line);
  const std::string_view body_error =
      parse_body({outcome.message, outcome.app_name, outcome.has_time, &outcome}, ctx, out);
  if (outcome.error.empty()) outcome.error = body_error;
  if (!outcome.error.empty()) out.set_string("parse_error", outcome.error);
}

}  // namespace talaia::collectors::syslog
