#pragma once
// `key=value` pairs separated by spaces, as FortiGate, CEF extensions and many appliances write
// them. A value runs to the next ` key=` (so values may hold spaces: `msg=a b c dst=...`);
// trailing spaces are dropped; a backslash protects the next byte from ending the value.
// Pure and header-only; never throws. Views are into `text`.
#include <cstddef>
#include <string>
#include <string_view>

namespace talaia::collectors::syslog {

inline bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '[' || c == ']';
}

struct key_value_options {
  bool quotes = true;  // `key="a b"` gives `a b` (with `\"` and `\\` undone)
};

// Calls on_pair(key, value, needs_unescape) for each pair; words before the first pair and
// between pairs that are no `key=` are skipped. Returns the number of pairs.
template <typename F>
std::size_t for_each_key_value(std::string_view s, const key_value_options& options, F&& on_pair) {
  std::size_t count = 0;
  std::size_t pos = 0;
  const std::size_t n = s.size();
  // Where the pair that starts at `at` would have its `=`, or npos.
  auto key_end = [&](std::size_t at) {
    std::size_t k = at;
    while (k < n && is_key_char(s[k])) ++k;
    return k > at && k < n && s[k] == '=' ? k : std::string_view::npos;
  };
  while (pos < n) {
    while (pos < n && s[pos] == ' ') ++pos;
    if (pos >= n) break;
    const std::size_t eq = key_end(pos);
    if (eq == std::string_view::npos) {  // not a pair: skip the word
      while (pos < n && s[pos] != ' ') ++pos;
      continue;
    }
    const std::string_view key = s.substr(pos, eq - pos);
    std::size_t v = eq + 1;
    if (options.quotes && v < n && s[v] == '"') {
      std::size_t q = v + 1;
      bool escaped = false;
      while (q < n && s[q] != '"') {
        if (s[q] == '\\' && q + 1 < n) {
          escaped = true;
          ++q;
        }
        ++q;
      }
      if (q < n && (q + 1 == n || s[q + 1] == ' ')) {
        on_pair(key, s.substr(v + 1, q - v - 1), escaped);
        ++count;
        pos = q + 1;
        continue;
      }
    }
    std::size_t i = v;
    bool escaped = false;
    while (i < n) {
      if (s[i] == '\\') {
        escaped = true;
        i += 2;
        continue;
      }
      if (s[i] == ' ') {
        std::size_t j = i;
        while (j < n && s[j] == ' ') ++j;
        if (j < n && key_end(j) != std::string_view::npos) break;
        i = j;
        continue;
      }
      ++i;
    }
    if (i > n) i = n;
    std::size_t end = i;
    while (end > v && s[end - 1] == ' ') --end;
    on_pair(key, s.substr(v, end - v), escaped);
    ++count;
    pos = i;
  }
  return count;
}

// Undoes `\"` and `\\` of a quoted value.
inline void unescape_quoted(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '"' || raw[i + 1] == '\\')) ++i;
    out.push_back(raw[i]);
  }
}

}  // namespace talaia::collectors::syslog
