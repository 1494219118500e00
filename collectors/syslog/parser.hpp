#pragma once
// One syslog message (RFC 5424 or RFC 3164, told apart by the header) to event fields.
// Pure and allocation-light: no regex, no iostreams; untrusted bytes never throw or assert.
//
// Fields, in this order (a contract later work keeps); a field the message lacks is absent,
// and RFC 5424's `-` NILVALUE means absent:
//   kind       string  "syslog"
//   received   time    ctx.received_micros
//   peer       ip      ctx.peer (absent when ctx.peer is empty)
//   facility   integer PRI / 8
//   severity   integer PRI % 8
//   timestamp  time    event time in UTC; the received time when the header has none or it
//                      cannot be parsed (the latter also sets parse_error)
//   hostname, app_name, procid, msgid   strings (RFC 3164: `TAG[pid]:` gives app_name, procid)
//   sd.<sd-id>.<param>  string, RFC 5424 structured data with `\"`, `\\`, `\]` undone
//   message    string  the MSG part (RFC 5424: without a leading UTF-8 BOM); absent when empty
//   raw        string  the line exactly as received
//   format, <format>.*  the body's format and its fields when it is one Talaia knows (CEF,
//                      LEEF, PAN-OS, filterlog, FortiGate, access logs, Cisco; see body.hpp)
//   parse_error string  what could not be parsed (see below); absent when all went well
//
// Time zones: a header time without a zone (RFC 3164, RFC 3339 without offset, Cisco clocks
// without a known abbreviation) is local time of ctx.zone, UTC when there is none.
// RFC 3164 deviations read: Cisco `SEQ: [HOST:] [*|.]Mmm dd hh:mm:ss.mmm [ZONE]:` and NX-OS
// year-first clocks (cisco.hpp); a Junos event tag (`RT_FLOW_SESSION_CLOSE: ...`, capitals with
// an underscore) at the start of the message also becomes `msgid` (the message keeps it).
//
// parse_error values are short and stable, for counting and filtering: see `errors` below.
// Without a valid PRI only kind, received, peer, timestamp, message (the whole line), raw and
// parse_error are set.
#include <cstdint>
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

class time_zone;

struct parse_context {
  std::int64_t received_micros = 0;  // collector receive time
  std::string_view peer;             // sender address text, e.g. "127.0.0.1"
  int default_year = 0;  // for RFC 3164 year-less timestamps; 0 = infer from the received time
  const time_zone* zone = nullptr;  // the source's zone for zone-less times; nullptr = UTC
  bool key_value = false;           // split `key=value` bodies of no known format into kv.<key>
};

// Parses one syslog message (without its LF) into `out`, which should hold no field of the
// names above. Never fails: what cannot be parsed is kept, with `parse_error` saying why.
void parse(std::string_view line, const parse_context& ctx, core::event& out);

// The parse_error values.
namespace errors {
inline constexpr std::string_view empty_line = "empty line";
inline constexpr std::string_view bad_pri = "missing or invalid PRI";
inline constexpr std::string_view bad_timestamp = "invalid timestamp";
inline constexpr std::string_view truncated_header = "truncated header";
inline constexpr std::string_view bad_header = "invalid header";
inline constexpr std::string_view bad_structured_data = "invalid structured data";
inline constexpr std::string_view bad_cef = "invalid CEF header";
inline constexpr std::string_view bad_leef = "invalid LEEF header";
inline constexpr std::string_view bad_filterlog = "invalid filterlog record";
}  // namespace errors

// What a format parser leaves for parse() to set last. Views into the line.
struct parse_outcome {
  std::string_view message;
  std::string_view error;  // the first error met, empty when none
  bool has_time = false;   // the header gave an event time
  std::string_view app_name;
  // Cisco header parts (RFC 3164 path), emitted with the body's fields.
  std::string_view cisco_sequence;
  std::string_view cisco_node;
  char clock_marker = 0;
};

}  // namespace talaia::collectors::syslog
