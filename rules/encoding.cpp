#include "rules/encoding.hpp"

#include <array>
#include <cstdint>

namespace talaia::rules {
namespace {

// Reads one code point from UTF-8 at s[i..]; advances i. Invalid bytes stand for themselves.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len <= 1 || i + len > s.size()) {
    ++i;
    return c;
  }
  char32_t cp = c & (0xff >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) {
      ++i;
      return c;
    }
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  i += len;
  return cp;
}

void push_unit(sigma_string& out, std::uint16_t unit, bool big_endian) {
  char lo = static_cast<char>(unit & 0xff), hi = static_cast<char>(unit >> 8);
  out.push_back({piece::literal, big_endian ? hi : lo});
  out.push_back({piece::literal, big_endian ? lo : hi});
}

void push_utf16(sigma_string& out, const std::string& run, bool big_endian) {
  for (std::size_t i = 0; i < run.size();) {
    char32_t cp = next_code_point(run, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      push_unit(out, static_cast<std::uint16_t>(0xd800 + (cp >> 10)), big_endian);
      push_unit(out, static_cast<std::uint16_t>(0xdc00 + (cp & 0x3ff)), big_endian);
    } else {
      push_unit(out, static_cast<std::uint16_t>(cp), big_endian);
    }
  }
}

bool is_word(const token& t) {
  if (t.kind != piece::literal) return false;
  auto c = static_cast<unsigned char>(t.c);
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

sigma_string to_utf16(const sigma_string& s, utf16_form form) {
  const bool big_endian = form == utf16_form::be;
  sigma_string out;
  out.reserve(s.size() * 2 + 2);
  if (form == utf16_form::le_bom) {
    out.push_back({piece::literal, '\xff'});
    out.push_back({piece::literal, '\xfe'});
  }
  std::string run;
  for (const token& t : s) {
    if (t.kind == piece::literal) {
      run.push_back(t.c);
      continue;
    }
    push_utf16(out, run, big_endian);
    run.clear();
    out.push_back(t);
  }
  push_utf16(out, run, big_endian);
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 0x3f]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out.push_back(alphabet[(v >> 18) & 0x3f]);
    out.push_back(alphabet[(v >> 12) & 0x3f]);
    out.push_back(rest == 2 ? alphabet[(v >> 6) & 0x3f] : '=');
    out.push_back('=');
  }
  return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
  // pySigma: b64encode(i * b" " + value)[start[i] : end[(len(value) + i) % 3]] for i in 0..2.
  constexpr std::array<std::size_t, 3> start{0, 2, 3};
  constexpr std::array<std::size_t, 3> trim_end{0, 3, 2};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 3; ++i) {
    std::string padded(i, ' ');
    padded.append(bytes);
    std::string enc = base64(padded);
    std::size_t cut = trim_end[(bytes.size() + i) % 3];
    std::size_t end = enc.size() >= cut ? enc.size() - cut : 0;
    out.push_back(start[i] < end ? enc.substr(start[i], end - start[i]) : std::string());
  }
  return out;
}

sigma_string windash(const sigma_string& s) {
  sigma_string out = s;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const token& t = s[i];
    if (t.kind != piece::literal || (t.c != '-' && t.c != '/')) continue;
    bool before_ok = i == 0 || !is_word(s[i - 1]);  // `\B` before a non-word character
    bool after_ok = i + 1 < s.size() && is_word(s[i + 1]);
    if (before_ok && after_ok) out[i] = {piece::dash, 0};
  }
  return out;
}

}  // namespace talaia::rules
