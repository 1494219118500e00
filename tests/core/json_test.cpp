#include "core/json.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

namespace talaia::core {
namespace {

TEST(json, event_round_trips_with_types) {
  event ev;
  ev.set_string("id", "n-1");
  ev.set_time("received", 1'772'445'601'000'000);
  ev.set_ip("peer", "192.0.2.1");
  ev.set_integer("severity", 3);
  ev.set_string("message", "quote \" backslash \\ newline \n tab \t");
  const std::string text = encode_event(ev);
  EXPECT_EQ(text,
            R"({"id":"n-1","received":"2026-03-02T10:00:01Z","peer":"192.0.2.1","severity":3,)"
            R"("message":"quote \" backslash \\ newline \n tab \t"})");
  auto back = decode_event(text);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(back->find("received")->type, field_type::time);
  EXPECT_EQ(back->find("received")->number, 1'772'445'601'000'000);
  EXPECT_EQ(back->find("peer")->type, field_type::ip);
  EXPECT_EQ(back->find("severity")->type, field_type::integer);
  EXPECT_EQ(back->find("severity")->number, 3);
  EXPECT_EQ(back->text("message"), "quote \" backslash \\ newline \n tab \t");
}

TEST(json, bytes_that_are_not_utf8_are_escaped_never_dropped) {
  std::string out;
  append_json_string(out, std::string("ok é \xff\xfe \xc3 end \x01", 16));
  EXPECT_EQ(out, "\"ok é \\u00ff\\u00fe \\u00c3 end \\u0001\"");
  // And the result is valid JSON that decodes.
  auto ev = decode_event("{\"raw\":" + out + "}");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->text("raw"), "ok é \xc3\xbf\xc3\xbe \xc3\x83 end \x01");
}

TEST(json, overlong_and_surrogate_sequences_are_escaped) {
  std::string out;
  append_json_string(out, "\xc0\xaf\xed\xa0\x80");
  EXPECT_EQ(out, "\"\\u00c0\\u00af\\u00ed\\u00a0\\u0080\"");
}

TEST(json, foreign_objects_are_flattened) {
  auto ev = decode_event(R"({"host":{"name":"web1","ip":["10.0.0.1"]},"ok":true,"n":1.5,"gone":null,"big":18446744073709551615})");
  ASSERT_TRUE(ev.ok()) << ev.err().message;
  EXPECT_EQ(ev->text("host.name"), "web1");
  EXPECT_EQ(ev->text("host.ip"), R"(["10.0.0.1"])");
  EXPECT_EQ(ev->text("ok"), "true");
  EXPECT_EQ(ev->text("n"), "1.5");
  EXPECT_FALSE(ev->has("gone"));
  EXPECT_EQ(ev->text("big"), "18446744073709551615");
}

TEST(json, one_string_field_without_decoding_the_rest) {
  EXPECT_EQ(string_field(R"({"a":{"id":"inner"},"n":1,"id":"e-7"})", "id"), "e-7");
  EXPECT_EQ(string_field(R"({"id":3})", "id"), "");
  EXPECT_EQ(string_field(R"({"x":"y"})", "id"), "");
  EXPECT_EQ(string_field("not json", "id"), "");
}

// A member added to an encoded event is what encoding the event with that field last gives.
TEST(json, a_string_member_added_to_an_encoded_event) {
  event ev;
  std::string empty = encode_event(ev);
  append_string_member(empty, "id", "a\"b");
  ev.set_string("id", "a\"b");
  EXPECT_EQ(empty, encode_event(ev));
  event flow;
  flow.set_string("kind", "flow");
  flow.set_integer("bytes", 12);
  std::string json = encode_event(flow);
  append_string_member(json, "id", "node-1-\xff");
  flow.set_string("id", "node-1-\xff");
  EXPECT_EQ(json, encode_event(flow));
  EXPECT_EQ(string_field(json, "id"), "node-1-\xc3\xbf");  // the byte escaped as \u00ff
}

TEST(json, what_is_not_an_object_is_an_error) {
  EXPECT_FALSE(decode_event("not json").ok());
  EXPECT_FALSE(decode_event("[1,2]").ok());
  EXPECT_FALSE(decode_event("\"text\"").ok());
  EXPECT_FALSE(decode_event("{\"a\":").ok());
  EXPECT_FALSE(decode_event("").ok());
}

// The escaper's specification, one byte at a time: the oracle for the word-at-a-time version.
std::string escaped_slowly(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto u = [&](unsigned char b) { out += "\\u00"; out += hex[b >> 4]; out += hex[b & 15]; };
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) u(c);
    else if (c < 0x80) out += static_cast<char>(c);
    else {
      std::size_t n = 0;
      const auto cont = [&](std::size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
      const auto b1 = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
      if (c >= 0xC2 && c <= 0xDF && cont(1)) n = 2;
      else if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2) && !(c == 0xE0 && b1 < 0xA0) && !(c == 0xED && b1 > 0x9F)) n = 3;
      else if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3) && !(c == 0xF0 && b1 < 0x90) && !(c == 0xF4 && b1 > 0x8F)) n = 4;
      if (n == 0) {
        u(c);
      } else {
        out.append(s.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
  }
  return out + "\"";
}

TEST(json, escaper_matches_the_byte_by_byte_specification) {
  std::uint64_t seed = 42;
  const auto next = [&] { return seed = seed * 6364136223846793005ULL + 1442695040888963407ULL, seed >> 33; };
  const std::string_view alphabet[] = {"a", "Z", " ", "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\x80", "\xff", "\xc3\xa9",
                                       "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xe0\x80", "plain text "};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const std::size_t parts = next() % 40;
    for (std::size_t p = 0; p < parts; ++p) s += alphabet[next() % std::size(alphabet)];
    std::string out;
    append_json_string(out, s);
    ASSERT_EQ(out, escaped_slowly(s)) << round;
  }
}

// Appending keeps what was there; a text whose worst case exceeds the reused buffer (64 KiB) is
// written the same; an event's JSON is its fields' strings in order.
TEST(json, long_texts_and_events_are_appended_as_the_specification_says) {
  std::string big;
  for (int i = 0; big.size() < 70000; ++i) big += i % 3 == 0 ? "\"q\\\x01\xc3\xa9" : "plain text ";
  std::string out = "prefix";
  append_json_string(out, big);
  EXPECT_EQ(out, "prefix" + escaped_slowly(big));
  event ev;
  ev.set_string("raw", big);
  ev.set_integer("n", -12);
  ev.set_string("na\"me", "short");
  std::string json = "[";
  append_event_json(json, ev);
  EXPECT_EQ(json, "[{\"raw\":" + escaped_slowly(big) + ",\"n\":-12," + escaped_slowly("na\"me") + ":\"short\"}");
  EXPECT_EQ(encode_event(ev), json.substr(1));
}

TEST(json, decoder_views_equal_decode_event_and_survive_reuse) {
  json_decoder decoder;
  event_view view;
  // Duplicate names: the later value replaces the earlier where it stood, as event::set does.
  const std::string first = R"({"a":1,"b":"x","a":"two","c":{"d":{"e":-0}},"c.d.e":7,"t":"2026-03-02T10:00:01Z"})";
  ASSERT_TRUE(decoder.decode(first, view).ok());
  auto owned = decode_event(first);
  ASSERT_TRUE(owned.ok());
  ASSERT_EQ(view.fields().size(), owned->fields().size());
  for (std::size_t i = 0; i < view.fields().size(); ++i) {
    const field_view& v = view.fields()[i];
    const field& f = owned->fields()[i];
    EXPECT_EQ(v.name, f.name);
    EXPECT_EQ(v.type, f.type);
    EXPECT_EQ(v.text, f.text);
    EXPECT_EQ(v.number, f.number);
  }
  EXPECT_EQ(view.text("a"), "two");
  EXPECT_EQ(view.fields()[0].name, "a");
  EXPECT_EQ(view.text("c.d.e"), "7");
  // Nested names longer than one arena chunk, and a bigger input than before: buffers grow.
  const std::string key(5000, 'k');
  const std::string second = "{\"" + key + "\":{\"" + key + "\":{\"n\":12345678901}},\"s\":\"" + std::string(9000, 'v') + "\"}";
  ASSERT_TRUE(decoder.decode(second, view).ok());
  ASSERT_EQ(view.fields().size(), 2u);
  EXPECT_EQ(view.fields()[0].name, key + "." + key + ".n");
  EXPECT_EQ(view.fields()[0].text, "12345678901");
  EXPECT_EQ(view.fields()[0].type, field_type::integer);
  EXPECT_EQ(view.text("s"), std::string(9000, 'v'));
  // What the DOM fast path leaves to the on-demand path decodes as before: numbers that are not
  // int64 keep their text, arrays their JSON text, too deep an object is an error.
  ASSERT_TRUE(decoder.decode(R"({"a":"x","n":{"f":1.50,"u":18446744073709551615,"l":[1, 2]},"z":2})", view).ok());
  ASSERT_EQ(view.fields().size(), 5u);
  EXPECT_EQ(view.text("n.f"), "1.50");
  EXPECT_EQ(view.text("n.u"), "18446744073709551615");
  EXPECT_EQ(view.text("n.l"), "[1, 2]");
  EXPECT_EQ(view.fields()[4].name, "z");
  std::string deep = "{";
  for (int i = 0; i < 18; ++i) deep += "\"a\":{";
  deep += "\"b\":1" + std::string(19, '}');
  auto too_deep = decoder.decode(deep, view);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.err().message, "bad value for field 'a'");
  // Errors are decode_event's, word for word.
  auto bad = decoder.decode("[1]", view);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message, decode_event("[1]").err().message);
  EXPECT_TRUE(view.fields().empty());
}

// The decoder parses a message where it lies when the bytes simdjson reads past its end are on
// the same page, and copies it otherwise. A message that ends right before an unreadable page
// (PROT_NONE) must be copied, or the process would fault; one in the middle of a page is read in
// place. Both decode as decode_event does, including through the on-demand path.
TEST(json, decoder_reads_in_place_only_within_a_page) {
  const long page = sysconf(_SC_PAGESIZE);
  void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  char* base = static_cast<char*>(mem);
  ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
  json_decoder decoder;
  event_view view;
  for (const std::string doc : {R"({"kind":"syslog","message":"at the end of a page","n":42})",
                                R"({"kind":"flow","f":1.5,"l":[1,2]})"}) {
    for (const std::size_t end : {static_cast<std::size_t>(page), static_cast<std::size_t>(page) - 1,
                                  static_cast<std::size_t>(page) / 2}) {
      char* at = base + end - doc.size();
      std::memcpy(at, doc.data(), doc.size());
      ASSERT_TRUE(decoder.decode(std::string_view(at, doc.size()), view).ok()) << doc << " ending at " << end;
      auto owned = decode_event(doc);
      ASSERT_TRUE(owned.ok());
      ASSERT_EQ(view.fields().size(), owned->fields().size());
      for (std::size_t i = 0; i < view.fields().size(); ++i) {
        EXPECT_EQ(view.fields()[i].name, owned->fields()[i].name);
        EXPECT_EQ(view.fields()[i].text, owned->fields()[i].text);
      }
    }
  }
  munmap(mem, 2 * page);
}

}  // namespace
}  // namespace talaia::core
