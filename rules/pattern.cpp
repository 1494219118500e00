#include "rules/pattern.hpp"

namespace talaia::rules {
namespace {

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void append_literal(std::string& out, char c) {
  auto u = static_cast<unsigned char>(c);
  if (is_alnum(u) || u == ' ' || u == '_') {
    out.push_back(c);
  } else if (u > 0x20 && u < 0x7f) {  // ASCII punctuation: a backslash makes it literal
    out.push_back('\\');
    out.push_back(c);
  } else {  // control characters, NUL and bytes above ASCII
    constexpr char hex[] = "0123456789abcdef";
    out += "\\x";
    out.push_back(hex[u >> 4]);
    out.push_back(hex[u & 0xf]);
  }
}

// `-`, `/`, or the UTF-8 of U+2013 en dash, U+2014 em dash, U+2015 horizontal bar.
constexpr std::string_view dash_class = "(?:[\\-/]|\\xe2\\x80[\\x93-\\x95])";

}  // namespace

sigma_string parse_sigma_string(std::string_view value) {
  sigma_string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size() &&
        (value[i + 1] == '*' || value[i + 1] == '?' || value[i + 1] == '\\')) {
      out.push_back({piece::literal, value[++i]});
    } else if (c == '*') {
      if (out.empty() || out.back().kind != piece::any_run) out.push_back({piece::any_run, 0});
    } else if (c == '?') {
      out.push_back({piece::any_one, 0});
    } else {
      out.push_back({piece::literal, c});
    }
  }
  return out;
}

sigma_string literal_string(std::string_view bytes) {
  sigma_string out;
  out.reserve(bytes.size());
  for (char c : bytes) out.push_back({piece::literal, c});
  return out;
}

bool is_plain(const sigma_string& s) {
  for (const token& t : s)
    if (t.kind != piece::literal) return false;
  return true;
}

std::string plain_text(const sigma_string& s) {
  std::string out;
  out.reserve(s.size());
  for (const token& t : s)
    if (t.kind == piece::literal) out.push_back(t.c);
  return out;
}

pattern to_pattern(const sigma_string& tokens, match_kind kind) {
  bool anchor_start = kind == match_kind::equals || kind == match_kind::startswith;
  bool anchor_end = kind == match_kind::equals || kind == match_kind::endswith;

  // A wildcard run next to an anchor lifts the anchor: `\A.*x` is just `x`.
  std::size_t first = 0, last = tokens.size();
  if (first < last && tokens[first].kind == piece::any_run) {
    ++first;
    anchor_start = false;
  }
  if (first < last && tokens[last - 1].kind == piece::any_run) {
    --last;
    anchor_end = false;
  }
  if (first == last) {
    if (anchor_start && anchor_end) return {pattern_kind::empty, {}};
    return {pattern_kind::present, {}};
  }

  // What is left starts and ends with a literal, `?` or a dash class, so it never matches empty.
  pattern out;
  out.regex.reserve(tokens.size() * 2 + 4);
  if (anchor_start) out.regex += "\\A";
  for (std::size_t i = first; i < last; ++i) {
    switch (tokens[i].kind) {
      case piece::literal: append_literal(out.regex, tokens[i].c); break;
      case piece::any_run: out.regex += ".*"; break;
      case piece::any_one: out.regex += '.'; break;
      case piece::dash: out.regex += dash_class; break;
    }
  }
  if (anchor_end) out.regex += "\\z";
  return out;
}

pattern to_pattern(std::string_view sigma_value, match_kind kind) {
  return to_pattern(parse_sigma_string(sigma_value), kind);
}

std::string_view to_string(match_kind kind) {
  switch (kind) {
    case match_kind::equals: return "equals";
    case match_kind::contains: return "contains";
    case match_kind::startswith: return "startswith";
    case match_kind::endswith: return "endswith";
  }
  return "equals";
}

}  // namespace talaia::rules
