#include "core/json.hpp"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

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

// True when one of the 8 bytes of `w` needs more than a copy: a control byte (< 0x20), DEL,
// '"', '\\' or a byte of 0x80 and above. Exact as a yes/no (not as a position).
bool any_special(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  const auto has_zero = [&](std::uint64_t v) { return ((v - ones) & ~v & highs) != 0; };
  const bool high = (w & highs) != 0;
  const bool control = ((w - ones * 0x20) & ~w & highs) != 0;
  return high || control || has_zero(w ^ (ones * 0x7F)) || has_zero(w ^ (ones * '"')) || has_zero(w ^ (ones * '\\'));
}

#if defined(__SSE2__)
// Position of the first byte of p[0..16) that needs more than a copy (as any_special), or 16.
unsigned first_special_of_16(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed: bytes of 0x80 and above are negative, so "< 0x20" takes them with the controls.
  const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  const __m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(low, del), _mm_or_si128(quote, backslash))));
  return mask != 0 ? static_cast<unsigned>(__builtin_ctz(mask)) : 16;
}
#endif

// The most bytes write_json_string writes for `n` bytes of text: each byte as `\u00XX`, and quotes.
constexpr std::size_t json_string_room(std::size_t n) { return 6 * n + 2; }

char* write_u_escape(char* p, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  std::memcpy(p, "\\u00", 4);
  p[4] = hex[c >> 4];
  p[5] = hex[c & 0xF];
  return p + 6;
}

}  // namespace

// Runs of printable ASCII are copied whole; valid UTF-8 is kept, other bytes escaped.
char* write_json_string(char* p, std::string_view s) {
  *p++ = '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // The longest run of printable ASCII that needs no escape.
    std::size_t run = i;
#if defined(__SSE2__)
    while (run + 16 <= s.size()) {  // sixteen bytes at a time (SSE2 is in every x86-64)
      const unsigned plain = first_special_of_16(s.data() + run);
      run += plain;
      if (plain < 16) break;
    }
#endif
    for (std::uint64_t w; run + 8 <= s.size(); run += 8) {  // eight plain bytes at a time
      std::memcpy(&w, s.data() + run, 8);
      if (any_special(w)) break;
    }
    // Fewer than eight left: the last eight bytes at once (those before `run` are plain, or the
    // bytes before `i` make it fall back to one at a time).
    if (std::uint64_t w; run < s.size() && s.size() - run < 8 && s.size() >= 8) {
      std::memcpy(&w, s.data() + s.size() - 8, 8);
      if (!any_special(w)) run = s.size();
    }
    while (run < s.size()) {
      const unsigned char r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x7F || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      std::memcpy(p, s.data() + i, run - i);
      p += run - i;
      i = run;
      if (i == s.size()) break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const char* escape = nullptr;
      switch (c) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default: p = write_u_escape(p, c);  // other controls and DEL
      }
      if (escape != nullptr) {
        std::memcpy(p, escape, 2);
        p += 2;
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      p = write_u_escape(p, c);
      ++i;
    } else {
      std::memcpy(p, s.data() + i, n);
      p += n;
      i += n;
    }
  }
  *p++ = '"';
  return p;
}

namespace {

// Lets write(p) write at most `room` bytes at p, then appends them to out: writing to a buffer
// of the worst-case size checks no room per byte and initialises nothing.
template <typename Write>
void append_written(std::string& out, std::size_t room, const Write& write) {
  constexpr std::size_t kept = 64 * 1024;  // reused; larger texts get a buffer of their own
  thread_local const std::unique_ptr<char[]> scratch = std::make_unique_for_overwrite<char[]>(kept);
  std::unique_ptr<char[]> large;
  char* p = scratch.get();
  if (room > kept) {
    large = std::make_unique_for_overwrite<char[]>(room);
    p = large.get();
  }
  const char* end = write(p);
  out.append(p, static_cast<std::size_t>(end - p));
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  append_written(out, json_string_room(s.size()), [&](char* p) { return write_json_string(p, s); });
}

void append_string_member(std::string& object, std::string_view name, std::string_view value) {
  if (!object.empty() && object.back() == '}') object.pop_back();
  if (object.size() > 1) object += ',';
  append_json_string(object, name);
  object += ':';
  append_json_string(object, value);
  object += '}';
}

void append_event_json(std::string& out, const event& ev) {
  std::size_t room = 2;
  for (const auto& f : ev.fields()) room += json_string_room(f.name.size()) + json_string_room(f.text.size()) + 2;
  append_written(out, room, [&](char* p) {
    *p++ = '{';
    bool first = true;
    for (const auto& f : ev.fields()) {
      if (!first) *p++ = ',';
      first = false;
      p = write_json_string(p, f.name);
      *p++ = ':';
      if (f.type == field_type::integer) {
        std::memcpy(p, f.text.data(), f.text.size());
        p += f.text.size();
      } else {
        p = write_json_string(p, f.text);
      }
    }
    *p++ = '}';
    return p;
  });
}

std::string encode_event(const event& ev) {
  std::string out;
  append_event_json(out, ev);
  return out;
}

field_type known_field_type(std::string_view name) {
  static constexpr std::array<std::string_view, 6> times{"received", "timestamp", "start",
                                                         "end",      "first_seen", "last_seen"};
  static constexpr std::array<std::string_view, 5> ips{"peer", "src_ip", "dst_ip", "exporter",
                                                       "next_hop"};
  // Most names are none of these: the last byte rules out nearly all without a comparison.
  if (name.empty()) return field_type::string;
  const char last = name.back();
  if (last == 'd' || last == 't' || last == 'p' || last == 'n') {
    for (auto t : times)
      if (t.size() == name.size() && t == name) return field_type::time;
  }
  if (last == 'r' || last == 'p') {
    for (auto t : ips)
      if (t.size() == name.size() && t == name) return field_type::ip;
  }
  return field_type::string;
}

// ---- decoding ----

struct json_decoder::state {
  // The DOM parser runs on the implementation simdjson picks for this CPU at run time (stages 1
  // and 2 in the shared library): the fast path. The on-demand parser is the reference: every
  // document the fast path does not take as it is goes through it.
  simdjson::dom::parser dom;
  simdjson::ondemand::parser parser;
  // The input, copied with the padding simdjson reads past the end.
  std::unique_ptr<char[]> input;
  std::size_t input_capacity = 0;
  // Texts that are in neither the input nor the parser's string buffer (dotted names of nested
  // members, integers): chunks that never move, reused from one decode to the next.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::vector<std::size_t> chunk_sizes;
  std::size_t chunk = 0, used = 0;
  // A bit per (length, first byte, last byte) of the names already in the view being built: a
  // name whose bit is clear is new and needs no search (duplicate names are rare).
  std::uint64_t names_seen = 0;

  char* allocate(std::size_t n) {
    while (chunk < chunks.size() && used + n > chunk_sizes[chunk]) {
      ++chunk;
      used = 0;
    }
    if (chunk == chunks.size()) {
      const std::size_t size = std::max<std::size_t>(4096, n);
      chunks.push_back(std::make_unique<char[]>(size));
      chunk_sizes.push_back(size);
      used = 0;
    }
    char* p = chunks[chunk].get() + used;
    used += n;
    return p;
  }
  std::string_view dotted(std::string_view prefix, std::string_view key) {
    char* p = allocate(prefix.size() + 1 + key.size());
    std::memcpy(p, prefix.data(), prefix.size());
    p[prefix.size()] = '.';
    std::memcpy(p + prefix.size() + 1, key.data(), key.size());
    return {p, prefix.size() + 1 + key.size()};
  }
  std::string_view integer_text(std::int64_t i) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, i).ptr;
    const auto n = static_cast<std::size_t>(end - digits);
    char* p = allocate(n);
    std::memcpy(p, digits, n);
    return {p, n};
  }
};

namespace {

std::uint64_t name_bit(std::string_view name) {
  if (name.empty()) return 1;
  const auto first = static_cast<unsigned char>(name.front()), last = static_cast<unsigned char>(name.back());
  return std::uint64_t{1} << ((name.size() * 7 + first * 3 + last) & 63);
}

// As event::set: a field of the same name is replaced where it stands.
void put(json_decoder::state& st, event_view& out, const field_view& f) {
  const std::uint64_t bit = name_bit(f.name);
  if (st.names_seen & bit) {
    for (field_view& g : out.mutable_fields())
      if (g.name == f.name) {
        g = f;
        return;
      }
  }
  st.names_seen |= bit;
  out.push_back(f);
}

void add_string(json_decoder::state& st, event_view& out, std::string_view name, std::string_view text) {
  const field_type t = known_field_type(name);
  if (t == field_type::time) {
    if (auto micros = parse_rfc3339(text)) {
      put(st, out, field_view{name, field_type::time, text, *micros});
      return;
    }
  } else if (t == field_type::ip) {
    put(st, out, field_view{name, field_type::ip, text, 0});
    return;
  }
  put(st, out, field_view{name, field_type::string, text, 0});
}

// Walks one value; `name` is the dotted path. Returns false on a JSON error.
bool add_value(json_decoder::state& st, event_view& out, std::string_view name, simdjson::ondemand::value value,
               int depth) {
  using namespace simdjson;
  ondemand::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case ondemand::json_type::string: {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      add_string(st, out, name, s);
      return true;
    }
    case ondemand::json_type::number: {
      std::int64_t i;
      if (!value.get_int64().get(i)) {
        put(st, out, field_view{name, field_type::integer, st.integer_text(i), i});
        return true;
      }
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' || raw.back() == '\r')) raw.remove_suffix(1);
      put(st, out, field_view{name, field_type::string, raw, 0});
      return true;
    }
    case ondemand::json_type::boolean: {
      bool b;
      if (value.get_bool().get(b)) return false;
      put(st, out, field_view{name, field_type::string, b ? "true" : "false", 0});
      return true;
    }
    case ondemand::json_type::null:
      return true;
    case ondemand::json_type::array: {
      std::string_view raw;
      if (simdjson::to_json_string(value).get(raw)) return false;
      put(st, out, field_view{name, field_type::string, raw, 0});
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
        if (!add_value(st, out, st.dotted(name, key), v, depth + 1)) return false;
      }
      return true;
    }
  }
  return false;
}

// The fast path over the DOM: strings, integers that fit int64, booleans, nulls and nested
// objects, each decoded exactly as add_value does. False for anything else (numbers that are
// not int64, whose text the DOM does not keep; arrays, whose text it does not keep either; too
// deep): the caller then decodes the document with add_value.
bool add_element(json_decoder::state& st, event_view& out, std::string_view name, simdjson::dom::element value,
                 int depth) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::STRING:
      add_string(st, out, name, value.get_string().value_unsafe());
      return true;
    case element_type::INT64: {
      const std::int64_t i = value.get_int64().value_unsafe();
      put(st, out, field_view{name, field_type::integer, st.integer_text(i), i});
      return true;
    }
    case element_type::BOOL:
      put(st, out, field_view{name, field_type::string, value.get_bool().value_unsafe() ? "true" : "false", 0});
      return true;
    case element_type::NULL_VALUE:
      return true;
    case element_type::OBJECT: {
      if (depth > 16) return false;
      simdjson::dom::object obj;
      if (value.get_object().get(obj)) return false;
      for (auto [key, v] : obj)
        if (!add_element(st, out, st.dotted(name, key), v, depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

namespace {
// True when [p, p + n) lies within one 4 KiB page (the smallest page size of the platforms we
// run on), so that reading it cannot fault if p can be read. Never under AddressSanitizer.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TALAIA_ADDRESS_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TALAIA_ADDRESS_SANITIZER 1
#endif
bool in_one_page(const char* p, std::size_t n) {
#if defined(TALAIA_ADDRESS_SANITIZER)
  (void)p;
  (void)n;
  return false;
#else
  constexpr std::uintptr_t page = 4096;
  const auto first = reinterpret_cast<std::uintptr_t>(p);
  return first / page == (first + n - 1) / page;
#endif
}
}  // namespace

json_decoder::json_decoder() : state_(std::make_unique<state>()) {}
json_decoder::~json_decoder() = default;
json_decoder::json_decoder(json_decoder&&) noexcept = default;
json_decoder& json_decoder::operator=(json_decoder&&) noexcept = default;

result<void> json_decoder::decode(std::string_view json, event_view& out) {
  using namespace simdjson;
  out.clear();
  state& st = *state_;
  st.names_seen = 0;
  st.chunk = 0;
  st.used = 0;
  const std::size_t need = json.size() + SIMDJSON_PADDING;
  if (st.input_capacity < need) {
    st.input_capacity = std::max(need, 2 * st.input_capacity);
    st.input = std::make_unique<char[]>(st.input_capacity);
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end (whatever they hold). Where those
  // bytes are on the same memory page as the last byte they are readable, and the message is
  // parsed where it lies; otherwise (and under AddressSanitizer, which would rightly object) it
  // is copied into the padded buffer first. The copy was a tenth of the detect stage's time.
  const char* parsed_from = st.input.get();
  if (!json.empty() && in_one_page(json.data() + json.size() - 1, SIMDJSON_PADDING + 1)) {
    parsed_from = json.data();
  } else {
    if (!json.empty()) std::memcpy(st.input.get(), json.data(), json.size());
    std::memset(st.input.get() + json.size(), 0, SIMDJSON_PADDING);
  }
  dom::element root;
  dom::object top;
  if (!st.dom.parse(reinterpret_cast<const std::uint8_t*>(parsed_from), json.size(), false).get(root) &&
      !root.get_object().get(top)) {
    bool taken = true;
    for (auto [key, v] : top)
      if (!add_element(st, out, key, v, 0)) {
        taken = false;
        break;
      }
    if (taken) return {};
    out.clear();
    st.names_seen = 0;
    st.chunk = 0;
    st.used = 0;
  }
  // The reference path below always reads the padded copy.
  if (parsed_from != st.input.get()) {
    std::memcpy(st.input.get(), json.data(), json.size());
    std::memset(st.input.get() + json.size(), 0, SIMDJSON_PADDING);
  }
  ondemand::document doc;
  if (auto e = st.parser.iterate(st.input.get(), json.size(), st.input_capacity).get(doc))
    return make_error(std::string("not JSON: ") + error_message(e));
  ondemand::object obj;
  if (doc.get_object().get(obj))
    return make_error("not a JSON object");
  for (auto member : obj) {
    std::string_view key;
    if (auto e = member.unescaped_key().get(key)) return make_error(std::string("bad key: ") + error_message(e));
    ondemand::value v;
    if (auto e = member.value().get(v)) return make_error(std::string("bad value: ") + error_message(e));
    if (!add_value(st, out, key, v, 0))
      return make_error("bad value for field '" + std::string(key) + "'");
  }
  return {};
}

std::string string_field(std::string_view json, std::string_view name) {
  using namespace simdjson;
  thread_local ondemand::parser parser;
  thread_local std::string padded;  // the input and simdjson's padding; reused, no allocation per call
  padded.assign(json);
  padded.append(SIMDJSON_PADDING, '\0');
  ondemand::document doc;
  ondemand::object obj;
  if (parser.iterate(padded.data(), json.size(), padded.size()).get(doc) || doc.get_object().get(obj)) return {};
  std::string_view value;
  if (obj.find_field_unordered(name).get_string().get(value)) return {};
  return std::string(value);
}

result<event> decode_event(std::string_view json) {
  thread_local json_decoder decoder;
  thread_local event_view view;
  if (auto r = decoder.decode(json, view); !r) return r.err();
  return view.to_event();
}

}  // namespace talaia::core
