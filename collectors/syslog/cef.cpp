#include "collectors/syslog/cef.hpp"

#include <array>
#include <cstring>
#include <string>

#include "collectors/syslog/key_value.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Where a header's version starts when a prefix of `prefix_size` bytes found at `at` begins one
// (at the start or after a space, then optional spaces and a digit), else npos.
std::size_t header_after(std::string_view message, std::size_t at, std::size_t prefix_size) {
  if (at > 0 && message[at - 1] != ' ') return npos;
  std::size_t i = at + prefix_size;
  while (i < message.size() && message[i] == ' ') ++i;
  return i < message.size() && is_digit(message[i]) ? at + prefix_size : npos;
}

std::size_t find_prefix(std::string_view message, std::string_view prefix) {
  for (std::size_t at = message.find(prefix); at != npos; at = message.find(prefix, at + 1))
    if (const std::size_t header = header_after(message, at, prefix.size()); header != npos) return header;
  return npos;
}

// The next header field up to an unescaped '|': its raw text and whether it holds escapes.
// `pos` moves past the '|'; false when there is none.
bool next_header_field(std::string_view s, std::size_t& pos, std::string_view& field, bool& escaped) {
  escaped = false;
  std::size_t i = pos;
  while (i < s.size() && s[i] != '|') {
    if (s[i] == '\\' && i + 1 < s.size()) {
      escaped = true;
      ++i;
    }
    ++i;
  }
  if (i >= s.size()) return false;
  field = s.substr(pos, i - pos);
  pos = i + 1;
  return true;
}

// Header fields: `\|` and `\\` undone.
void unescape_header(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '|' || raw[i + 1] == '\\')) ++i;
    out.push_back(raw[i]);
  }
}

// CEF extension values: `\=`, `\\`, `\n`, `\r` undone; other backslashes kept.
void unescape_extension(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      const char next = raw[i + 1];
      if (next == '=' || next == '\\') {
        out.push_back(next);
        ++i;
        continue;
      }
      if (next == 'n' || next == 'r') {
        out.push_back(next == 'n' ? '\n' : '\r');
        ++i;
        continue;
      }
    }
    out.push_back(raw[i]);
  }
}

std::string_view skip_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

// Reads `count` header fields into `prefix + names[i]`; returns false when one is missing.
template <std::size_t N>
bool read_header(std::string_view s, std::size_t& pos, const std::array<std::string_view, N>& names,
                 std::string_view prefix, core::event& out) {
  std::string name;
  std::string value;
  for (std::string_view n : names) {
    std::string_view field;
    bool escaped = false;
    if (!next_header_field(s, pos, field, escaped)) return false;
    name.assign(prefix).append(n);
    if (escaped) {
      unescape_header(field, value);
      out.set_string(name, value);
    } else {
      out.set_string(name, field);
    }
  }
  return true;
}

// Byte value of a LEEF 2.0 delimiter field: one character, or `0xHH` / `xHH`; 0 when not one.
char leef_delimiter(std::string_view d) {
  if (d.size() == 1) return d[0];
  if (d.size() >= 2 && (d[0] == 'x' || d[0] == 'X')) d.remove_prefix(1);
  else if (d.size() >= 3 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) d.remove_prefix(2);
  else return 0;
  if (d.empty() || d.size() > 2) return 0;
  int v = 0;
  for (char c : d) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return 0;
    v = v * 16 + digit;
  }
  return static_cast<char>(v);
}

}  // namespace

std::size_t find_cef(std::string_view message) { return find_prefix(message, "CEF:"); }

cef_or_leef find_cef_or_leef(std::string_view m) {
  cef_or_leef found;
  const char* const begin = m.data();
  for (std::size_t f = 1; f + 1 < m.size(); ++f) {  // f: the F of "EF:"
    const void* next = std::memchr(begin + f, 'F', m.size() - 1 - f);
    if (next == nullptr) break;
    f = static_cast<std::size_t>(static_cast<const char*>(next) - begin);
    if (m[f + 1] != ':' || m[f - 1] != 'E') continue;
    if (f >= 2 && m[f - 2] == 'C') {
      found.cef = header_after(m, f - 2, 4);
      if (found.cef != npos) {
        found.leef = npos;
        return found;
      }
    }
    if (found.leef == npos && f >= 3 && m[f - 2] == 'E' && m[f - 3] == 'L') found.leef = header_after(m, f - 3, 5);
  }
  return found;
}
std::size_t find_leef(std::string_view message) { return find_prefix(message, "LEEF:"); }

bool parse_cef(std::string_view text, core::event& out) {
  static constexpr std::array<std::string_view, 7> names{
      "version", "device_vendor", "device_product", "device_version", "signature_id", "name", "severity"};
  const std::string_view s = skip_spaces(text);
  std::size_t pos = 0;
  if (!read_header(s, pos, names, "cef.", out)) return false;
  std::string name;
  std::string value;
  for_each_key_value(s.substr(pos), key_value_options{false}, [&](std::string_view key, std::string_view v, bool escaped) {
    name.assign("cef.").append(key);
    if (escaped) {
      unescape_extension(v, value);
      out.set_string(name, value);
    } else {
      out.set_string(name, v);
    }
  });
  return true;
}

bool parse_leef(std::string_view text, core::event& out) {
  static constexpr std::array<std::string_view, 5> names{"version", "vendor", "product", "product_version", "event_id"};
  const std::string_view s = skip_spaces(text);
  std::size_t pos = 0;
  if (!read_header(s, pos, names, "leef.", out)) {
    // LEEF 1.0 senders may leave out the '|' after EventID when no attribute follows.
    return false;
  }
  // LEEF 2.0: an optional delimiter field, told apart from attributes by holding no '='.
  char delimiter = 0;
  if (s.substr(0, 2) == "2.") {
    std::size_t probe = pos;
    std::string_view field;
    bool escaped = false;
    if (next_header_field(s, probe, field, escaped) && field.find('=') == npos) {
      delimiter = leef_delimiter(field);
      if (delimiter != 0) {
        out.set_string("leef.delimiter", field);
        pos = probe;
      }
    }
  }
  const std::string_view attributes = s.substr(pos);
  if (delimiter == 0 && attributes.find('\t') != npos) delimiter = '\t';
  std::string name;
  if (delimiter == 0) {
    std::string value;
    for_each_key_value(attributes, key_value_options{false}, [&](std::string_view key, std::string_view v, bool escaped) {
      name.assign("leef.").append(key);
      if (escaped) {
        unescape_extension(v, value);
        out.set_string(name, value);
      } else {
        out.set_string(name, v);
      }
    });
    return true;
  }
  std::string value;
  std::size_t start = 0;
  while (start <= attributes.size()) {
    // The attribute runs to the next delimiter not preceded by a backslash.
    std::size_t end = start;
    bool escaped = false;
    while (end < attributes.size() && attributes[end] != delimiter) {
      if (attributes[end] == '\\' && end + 1 < attributes.size() && attributes[end + 1] == delimiter) {
        escaped = true;
        ++end;
      }
      ++end;
    }
    std::string_view attribute = skip_spaces(attributes.substr(start, end - start));
    const std::size_t eq = attribute.find('=');
    if (eq != npos && eq > 0) {
      name.assign("leef.").append(attribute.substr(0, eq));
      std::string_view v = attribute.substr(eq + 1);
      if (escaped) {
        value.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == delimiter) ++i;
          value.push_back(v[i]);
        }
        out.set_string(name, value);
      } else {
        out.set_string(name, v);
      }
    }
    if (end >= attributes.size()) break;
    start = end + 1;
  }
  return true;
}

}  // namespace talaia::collectors::syslog
