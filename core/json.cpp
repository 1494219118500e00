#include "core/json.hpp"

#include <simdjson.h>

#include <array>
#include <cstdio>

#include "core/clock.hpp"

namespace talaia::core {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const std::size_t left = s.size() - i;
  const auto cont = [&](std::size_t k) { return (b(i + k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

void append_u_escape(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\u00";
  out += hex[c >> 4];
  out += hex[c & 0xF];
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run of printable ASCII that needs no escape in one append.
    std::size_t run = i;
    while (run < s.size()) {
      const unsigned char r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x7F || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: append_u_escape(out, c);  // other controls and DEL
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      append_u_escape(out, c);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += '"';
}

void append_event_json(std::string& out, const event& ev) {
  out += '{';
  bool first = true;
  for (const auto& f : ev.fields()) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, f.name);
    out += ':';
    if (f.type == field_type::integer) out += f.text;
    else append_json_string(out, f.text);
  }
  out += '}';
}

std::string encode_event(const event& ev) {
  std::string out;
  out.reserve(64 + ev.fields().size() * 32);
  append_event_json(out, ev);
  return out;
}

field_type known_field_type(std::string_view name) {
  static constexpr std::array<std::string_view, 6> times{"received", "timestamp", "start",
                                                         "end",      "first_seen", "last_seen"};
  static constexpr std::array<std::string_view, 5> ips{"peer", "src_ip", "dst_ip", "exporter",
                                                       "next_hop"};
  for (auto t : times)
    if (t == name) return field_type::time;
  for (auto t : ips)
    if (t == name) return field_type::ip;
  return field_type::string;
}

namespace {

void add_string(event& ev, std::string name, std::string_view text) {
  const field_type t = known_field_type(name);
  if (t == field_type::time) {
    if (auto micros = parse_rfc3339(text)) {
      ev.set(field{std::move(name), field_type::time, std::string(text), *micros});
      return;
    }
  } else if (t == field_type::ip) {
    ev.set_ip(name, text);
    return;
  }
  ev.set_string(name, text);
}

// Walks one value; `name` is the dotted path. Returns false on a JSON error.
bool add_value(event& ev, const std::string& name, simdjson::ondemand::value value, int depth) {
  using namespace simdjson;
  ondemand::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case ondemand::json_type::string: {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      add_string(ev, name, s);
      return true;
    }
    case ondemand::json_type::number: {
      std::int64_t i;
      if (!value.get_int64().get(i)) {
        ev.set_integer(name, i);
        return true;
      }
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' || raw.back() == '\r')) raw.remove_suffix(1);
      ev.set_string(name, raw);
      return true;
    }
    case ondemand::json_type::boolean: {
      bool b;
      if (value.get_bool().get(b)) return false;
      ev.set_string(name, b ? "true" : "false");
      return true;
    }
    case ondemand::json_type::null:
      return true;
    case ondemand::json_type::array: {
      std::string_view raw;
      if (simdjson::to_json_string(value).get(raw)) return false;
      ev.set_string(name, raw);
      return true;
    }
    case ondemand::json_type::object: {
      if (depth > 16) return false;
      ondemand::object obj;
      if (value.get_object().get(obj)) return false;
      for (auto member : obj) {
        std::string_view key;
        if (member.unescaped_key().get(key)) return false;
        ondemand::value v;
        if (member.value().get(v)) return false;
        if (!add_value(ev, name + "." + std::string(key), v, depth + 1)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

std::string string_field(std::string_view json, std::string_view name) {
  using namespace simdjson;
  thread_local ondemand::parser parser;
  padded_string padded(json);
  ondemand::document doc;
  ondemand::object obj;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) return {};
  std::string_view value;
  if (obj.find_field_unordered(name).get_string().get(value)) return {};
  return std::string(value);
}

result<event> decode_event(std::string_view json) {
  using namespace simdjson;
  thread_local ondemand::parser parser;
  padded_string padded(json);
  ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc))
    return make_error(std::string("not JSON: ") + error_message(e));
  ondemand::object obj;
  if (doc.get_object().get(obj))
    return make_error("not a JSON object");
  event ev;
  for (auto member : obj) {
    std::string_view key;
    if (auto e = member.unescaped_key().get(key)) return make_error(std::string("bad key: ") + error_message(e));
    ondemand::value v;
    if (auto e = member.value().get(v)) return make_error(std::string("bad value: ") + error_message(e));
    if (!add_value(ev, std::string(key), v, 0))
      return make_error("bad value for field '" + std::string(key) + "'");
  }
  return ev;
}

}  // namespace talaia::core
