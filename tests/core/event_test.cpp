#include "core/event.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace talaia::core {
namespace {

std::vector<std::string> names_of(const event& ev) {
  std::vector<std::string> out;
  for (const field& f : ev.fields()) out.push_back(f.name);
  return out;
}

TEST(event, setting_a_name_again_replaces_it_in_place) {
  event ev;
  ev.set_string("kind", "syslog");
  ev.set_integer("severity", 3);
  ev.set_string("kind", "flow");
  EXPECT_EQ(names_of(ev), (std::vector<std::string>{"kind", "severity"}));
  EXPECT_EQ(ev.text("kind"), "flow");
  EXPECT_EQ(ev.find("severity")->number, 3);
  EXPECT_EQ(ev.text("severity"), "3");
  EXPECT_EQ(ev.find("sev"), nullptr);
  EXPECT_EQ(ev.find(""), nullptr);
}

// Hundreds of names, many sharing a lookup bucket, and more than a byte of positions: every one
// is found, none twice, absent ones are not.
TEST(event, every_name_is_found_among_many) {
  event ev;
  for (int i = 0; i < 600; ++i) ev.set_integer("f" + std::to_string(i), i);
  for (int i = 0; i < 600; i += 7) ev.set_integer("f" + std::to_string(i), -i);  // replaces
  ASSERT_EQ(ev.fields().size(), 600u);
  for (int i = 0; i < 600; ++i) {
    const field* f = ev.find("f" + std::to_string(i));
    ASSERT_NE(f, nullptr) << i;
    EXPECT_EQ(f->number, i % 7 == 0 ? -i : i);
  }
  for (int i = 600; i < 700; ++i) EXPECT_EQ(ev.find("f" + std::to_string(i)), nullptr);
}

// Names that share a lookup bucket ("id" and "hostname", "facility" and "procid" do): each is
// found, replaced in place and erased alone, also after clear() and a copy.
TEST(event, names_sharing_a_bucket_stay_apart) {
  event ev;
  for (int round = 0; round < 2; ++round) {
    ev.clear();
    for (const char* n : {"id", "facility", "hostname", "procid"}) ev.set_string(n, n);
    ev.set_string("hostname", "web1");
    ev.set_string("id", "7");
    EXPECT_EQ(names_of(ev), (std::vector<std::string>{"id", "facility", "hostname", "procid"}));
    EXPECT_EQ(ev.text("hostname"), "web1");
    EXPECT_EQ(ev.text("id"), "7");
    EXPECT_EQ(ev.text("procid"), "procid");
    ev.erase("id");
    EXPECT_EQ(ev.find("id"), nullptr);
    EXPECT_EQ(ev.text("hostname"), "web1");
    const event copy = ev;
    EXPECT_EQ(copy.text("facility"), "facility");
    EXPECT_EQ(copy.find("id"), nullptr);
  }
}

TEST(event, clear_forgets_every_field_and_reuse_starts_afresh) {
  event ev;
  for (int round = 0; round < 3; ++round) {
    ev.clear();
    EXPECT_TRUE(ev.fields().empty());
    EXPECT_EQ(ev.find("message"), nullptr);
    ev.set_string("message", "round " + std::to_string(round));
    if (round == 1) ev.set_string("extra", "x");
    EXPECT_EQ(ev.text("message"), "round " + std::to_string(round));
    EXPECT_EQ(ev.has("extra"), round == 1);
    EXPECT_EQ(ev.fields().size(), round == 1 ? 2u : 1u);
  }
}

TEST(event, erase_removes_only_that_name_and_keeps_the_order) {
  event ev;
  for (const char* n : {"a", "b", "c", "d"}) ev.set_string(n, n);
  ev.erase("b");
  EXPECT_EQ(names_of(ev), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(ev.find("b"), nullptr);
  EXPECT_EQ(ev.text("d"), "d");
  ev.set_string("b", "again");
  EXPECT_EQ(names_of(ev), (std::vector<std::string>{"a", "c", "d", "b"}));
  EXPECT_EQ(ev.text("b"), "again");
}

TEST(event, copies_and_moves_carry_the_fields) {
  event a;
  a.set_string("x", "1");
  a.set_time("t", 1'700'000'000'000'000);
  event b = a;
  b.set_string("x", "2");
  EXPECT_EQ(a.text("x"), "1");
  EXPECT_EQ(b.text("x"), "2");
  EXPECT_EQ(b.text("t"), "2023-11-14T22:13:20Z");
  event c = std::move(b);
  EXPECT_EQ(c.text("x"), "2");
  EXPECT_TRUE(b.fields().empty());  // NOLINT(bugprone-use-after-move): moved-from is empty and usable
  b.set_string("y", "3");
  EXPECT_EQ(b.text("y"), "3");
  event d;
  for (int i = 0; i < 10; ++i) d.set_integer("n" + std::to_string(i), i);
  d = a;
  EXPECT_EQ(names_of(d), names_of(a));
  EXPECT_EQ(d.find("n3"), nullptr);
  d = std::move(c);
  EXPECT_EQ(d.text("x"), "2");
}

// A field set to a part of its own text (a trimmed value, say), short and long, and after clear()
// when the spare storage is reused.
TEST(event, a_field_set_from_its_own_text_keeps_the_right_bytes) {
  event ev;
  for (const std::string& text : {std::string("hello world"), "prefix " + std::string(100, 'x') + " suffix"}) {
    ev.clear();
    ev.set_string("a", text);
    ev.set_string("a", ev.text("a").substr(6));
    EXPECT_EQ(ev.text("a"), text.substr(6));
    ev.set_string("a", ev.text("a"));
    EXPECT_EQ(ev.text("a"), text.substr(6));
    ev.set_string("a", std::string(300, 'y'));  // longer than the room it had
    EXPECT_EQ(ev.text("a"), std::string(300, 'y'));
    ev.set_string("a", "");
    EXPECT_EQ(ev.text("a"), "");
    EXPECT_TRUE(ev.has("a"));
  }
}

// Setting new fields from other fields' short texts while the field list grows (and moves):
// each gets the text it was given (valgrind/ASan see no read of freed memory).
TEST(event, a_field_set_from_another_fields_short_text_survives_the_list_growing) {
  event ev;
  ev.set_string("seed", "abc");
  for (int i = 0; i < 100; ++i) {
    const std::string name = "f" + std::to_string(i);
    ev.set_string(name, ev.text(i == 0 ? "seed" : "f" + std::to_string(i - 1)));
    ev.set_ip("ip" + std::to_string(i), ev.text("seed"));
  }
  EXPECT_EQ(ev.text("f99"), "abc");
  EXPECT_EQ(ev.text("ip99"), "abc");
  EXPECT_EQ(ev.find("ip99")->type, field_type::ip);
}

TEST(event, copy_time_takes_the_text_of_another_field_even_of_its_own) {
  event ev;
  ev.set_time("timestamp", 1'700'000'000'123'456);
  for (int i = 0; i < 20; ++i) ev.set_integer("n" + std::to_string(i), i);  // storage may move
  ev.copy_time("received", *ev.find("timestamp"));
  EXPECT_EQ(ev.text("received"), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(ev.find("received")->number, 1'700'000'000'123'456);
  EXPECT_EQ(ev.find("received")->type, field_type::time);
  // A text no formatter wrote (longer than any RFC 3339 time) is formatted from the number.
  field odd{"t", field_type::time, std::string(60, 'x'), 0};
  ev.copy_time("odd", odd);
  EXPECT_EQ(ev.text("odd"), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace talaia::core
