#include "collectors/syslog/body.hpp"

#include <string>

#include "collectors/syslog/access_log.hpp"
#include "collectors/syslog/cef.hpp"
#include "collectors/syslog/cisco.hpp"
#include "collectors/syslog/filterlog.hpp"
#include "collectors/syslog/junos.hpp"
#include "collectors/syslog/key_value.hpp"
#include "collectors/syslog/panos.hpp"
#include "collectors/syslog/sshd.hpp"
#include "collectors/syslog/time_zone.hpp"
#include "collectors/syslog/timestamp.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_fortigate(std::string_view m) {
  if (!starts_with(m, "date=") && !starts_with(m, "logver=") && !starts_with(m, "devname=")) return false;
  const std::string_view head = m.substr(0, 300);
  return head.find(" devid=") != npos || head.find(" logid=") != npos || head.find(" log_id=") != npos ||
         head.find(" devname=") != npos;
}

// Sets `<prefix><key>` for each pair; FortiGate's date and time when asked. Returns the pairs.
std::size_t set_pairs(std::string_view m, std::string_view prefix, core::event& out, std::string* date,
                      std::string* time, std::string* tz) {
  std::string name;
  std::string value;
  return for_each_key_value(m, key_value_options{true}, [&](std::string_view key, std::string_view v, bool escaped) {
    name.assign(prefix).append(key);
    std::string_view text = v;
    if (escaped) {
      unescape_quoted(v, value);
      text = value;
    }
    out.set_string(name, text);
    if (date != nullptr && key == "date") date->assign(text);
    if (time != nullptr && key == "time") time->assign(text);
    if (tz != nullptr && key == "tz") tz->assign(text);
  });
}

void fortigate(std::string_view m, bool header_has_time, const parse_context& ctx, core::event& out) {
  std::string date, time, tz;
  set_pairs(m, "fortigate.", out, &date, &time, &tz);
  if (header_has_time || date.size() != 10 || time.size() != 8) return;
  auto local = parse_iso_timestamp(date + "T" + time);
  if (!local) return;
  if (auto offset = parse_utc_offset(tz))
    out.set_time("timestamp", *local - std::int64_t{*offset} * 1000000);
  else
    out.set_time("timestamp", ctx.zone != nullptr ? ctx.zone->to_utc(*local) : *local);
}

// CEF `rt` / LEEF `devTime` as the event time: epoch milliseconds, or `Mmm dd yyyy hh:mm:ss[.fff]`
// with an optional zone (abbreviation or offset; else the source's zone).
std::optional<std::int64_t> device_time(std::string_view t, const parse_context& ctx) {
  if (t.size() >= 12 && t.size() <= 13 && t.find_first_not_of("0123456789") == npos) {
    std::int64_t ms = 0;
    for (char c : t) ms = ms * 10 + (c - '0');
    return ms * 1000;
  }
  // A last word that is no number is the zone: "GMT", "+0200", "-04:00", "Z".
  const std::size_t space = t.rfind(' ');
  std::string_view clock = t;
  std::optional<std::int32_t> offset;
  if (space != npos && space + 1 < t.size() && !(t[space + 1] >= '0' && t[space + 1] <= '9')) {
    const std::string_view zone = t.substr(space + 1);
    offset = parse_utc_offset(zone);
    if (!offset) offset = abbreviation_offset(zone);
    if (!offset) return std::nullopt;
    clock = t.substr(0, space);
  }
  const bsd_timestamp ts = parse_bsd_timestamp(clock, ctx.received_micros, ctx.default_year);
  if (ts.state != bsd_timestamp::status::valid || ts.length != clock.size()) return std::nullopt;
  if (offset) return ts.micros - std::int64_t{*offset} * 1000000;
  return ctx.zone != nullptr ? ctx.zone->to_utc(ts.micros) : ts.micros;
}

// When the header had no time, the device's own.
void take_device_time(const body_input& in, const parse_context& ctx, std::string_view field, core::event& out) {
  if (in.header_has_time) return;
  const core::field* f = out.find(field);
  if (f == nullptr) return;
  if (auto when = device_time(f->text, ctx)) out.set_time("timestamp", *when);
}

void cisco(const body_input& in, const std::optional<cisco_tag>& tag, core::event& out) {
  out.set_string("format", "cisco");
  if (tag) {
    out.set_string("cisco.facility", tag->facility);
    out.set_integer("cisco.severity", tag->severity);
    out.set_string("cisco.mnemonic", tag->mnemonic);
  }
  if (in.header == nullptr) return;
  if (!in.header->cisco_sequence.empty()) out.set_string("cisco.sequence", in.header->cisco_sequence);
  if (!in.header->cisco_node.empty()) out.set_string("cisco.node", in.header->cisco_node);
  if (in.header->clock_marker == '*') out.set_string("cisco.clock", "not_authoritative");
  if (in.header->clock_marker == '.') out.set_string("cisco.clock", "not_synchronized");
}

}  // namespace

std::string_view parse_body(const body_input& in, const parse_context& ctx, core::event& out) {
  const std::string_view m = in.message;
  const cef_or_leef found = find_cef_or_leef(m);
  if (std::size_t at = found.cef; at != npos || (in.app_name == "CEF" && !m.empty() && m[0] >= '0' && m[0] <= '9')) {
    out.set_string("format", "cef");
    if (!parse_cef(at == npos ? m : m.substr(at), out)) return errors::bad_cef;
    take_device_time(in, ctx, "cef.rt", out);
    return {};
  }
  if (std::size_t at = found.leef; at != npos || (in.app_name == "LEEF" && !m.empty() && m[0] >= '0' && m[0] <= '9')) {
    out.set_string("format", "leef");
    if (!parse_leef(at == npos ? m : m.substr(at), out)) return errors::bad_leef;
    take_device_time(in, ctx, "leef.devTime", out);
    return {};
  }
  if (in.app_name == "filterlog") {
    out.set_string("format", "filterlog");
    return parse_filterlog(m, out) ? std::string_view{} : errors::bad_filterlog;
  }
  if (parse_junos_session(m, out)) return {};
  if (is_panos(m)) {
    out.set_string("format", "panos");
    parse_panos(m, out);
    return {};
  }
  if (is_fortigate(m)) {
    out.set_string("format", "fortigate");
    fortigate(m, in.header_has_time, ctx, out);
    return {};
  }
  if ((in.app_name == "sshd" || in.app_name == "sshd-session") && parse_sshd_auth(m, out)) {
    out.set_string("format", "sshd");
    return {};
  }
  {
    thread_local core::event web;  // reused: most lines are not access logs, those that are fill it
    web.clear();
    if (auto when = parse_access_log(m, web)) {
      out.set_string("format", "access_log");
      for (const auto& f : web.fields()) out.set(f);
      if (!in.header_has_time) out.set_time("timestamp", *when);
      return {};
    }
  }
  std::optional<cisco_tag> tag;
  if (!in.app_name.empty() && in.app_name[0] == '%') tag = read_cisco_tag(in.app_name);
  if (!tag) tag = find_cisco_tag(m);
  const bool cisco_header = in.header != nullptr && (!in.header->cisco_sequence.empty() ||
                                                     !in.header->cisco_node.empty() || in.header->clock_marker != 0);
  if (tag || cisco_header) {
    cisco(in, tag, out);
    return {};
  }
  if (ctx.key_value) {
    thread_local core::event pairs;
    pairs.clear();
    if (set_pairs(m, "kv.", pairs, nullptr, nullptr, nullptr) > 0) {
      out.set_string("format", "key_value");
      for (const auto& f : pairs.fields()) out.set(f);
    }
  }
  return {};
}

}  // namespace talaia::collectors::syslog
