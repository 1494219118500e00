// The parse() contract: which fields, in which order, and what happens to lines that are not
// syslog at all.
#include "collectors/syslog/parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <string>

#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::field_names;
using testing::parse_line;
using testing::received_at;
using names = std::vector<std::string>;

TEST(syslog_parser, sets_common_fields_with_their_types) {
  const core::event e = parse_line("<13>Jan 12 06:30:00 host app: hello");
  ASSERT_NE(e.find("kind"), nullptr);
  EXPECT_EQ(e.find("kind")->type, core::field_type::string);
  EXPECT_EQ(e.text("kind"), "syslog");
  EXPECT_EQ(e.find("received")->type, core::field_type::time);
  EXPECT_EQ(e.text("received"), "2026-01-15T12:00:00Z");
  EXPECT_EQ(e.find("peer")->type, core::field_type::ip);
  EXPECT_EQ(e.text("peer"), "192.0.2.1");
  EXPECT_EQ(e.find("facility")->type, core::field_type::integer);
  EXPECT_EQ(e.find("facility")->number, 1);
  EXPECT_EQ(e.find("severity")->number, 5);
  EXPECT_EQ(e.find("timestamp")->type, core::field_type::time);
  EXPECT_EQ(e.text("raw"), "<13>Jan 12 06:30:00 host app: hello");
  EXPECT_FALSE(e.has("id"));
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(syslog_parser, orders_fields_as_the_contract_says) {
  const core::event e = parse_line(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] hello");
  EXPECT_EQ(field_names(e),
            (names{"kind", "received", "peer", "facility", "severity", "timestamp", "hostname",
                   "app_name", "procid", "msgid", "sd.exampleSDID@32473.iut",
                   "sd.exampleSDID@32473.eventSource", "message", "raw"}));
}

TEST(syslog_parser, puts_parse_error_last) {
  const core::event e = parse_line("<13>1 2003-13-11T22:14:15Z host app - - - hello");
  EXPECT_EQ(field_names(e),
            (names{"kind", "received", "peer", "facility", "severity", "timestamp", "hostname",
                   "app_name", "message", "raw", "parse_error"}));
  EXPECT_EQ(e.text("parse_error"), errors::bad_timestamp);
}

TEST(syslog_parser, omits_peer_when_unknown) {
  core::event e;
  parse("<13>hello", parse_context{received_at(), "", 0}, e);
  EXPECT_FALSE(e.has("peer"));
  EXPECT_EQ(e.text("message"), "hello");
}

TEST(syslog_parser, keeps_a_line_without_pri) {
  const std::string line = "Feb 21 21:54:44 localhost sshd[3402]: Accepted publickey for vagrant";
  const core::event e = parse_line(line);
  EXPECT_EQ(field_names(e), (names{"kind", "received", "peer", "timestamp", "message", "raw",
                                   "parse_error"}));
  EXPECT_EQ(e.text("message"), line);
  EXPECT_EQ(e.text("raw"), line);
  EXPECT_EQ(e.text("timestamp"), e.text("received"));
  EXPECT_EQ(e.text("parse_error"), "missing or invalid PRI");
}

TEST(syslog_parser, rejects_bad_pris) {
  for (const std::string line :
       {"<192>Jan 12 06:30:00 host app: pri too large", "<999>x", "<1000>x", "<>x", "<a>x",
        "<13 no closing bracket", "<-1>x", "<13", "<", " <13>leading space", "13>x"}) {
    SCOPED_TRACE(line);
    const core::event e = parse_line(line);
    EXPECT_EQ(e.text("parse_error"), errors::bad_pri);
    EXPECT_FALSE(e.has("facility"));
    EXPECT_FALSE(e.has("severity"));
    EXPECT_EQ(e.text("message"), line);
    EXPECT_EQ(e.text("raw"), line);
  }
}

TEST(syslog_parser, accepts_pri_bounds) {
  const core::event low = parse_line("<0>Oct 22 10:52:01 10.1.2.3 sched[0]: That's All Folks!");
  EXPECT_EQ(low.find("facility")->number, 0);
  EXPECT_EQ(low.find("severity")->number, 0);
  EXPECT_FALSE(low.has("parse_error"));
  const core::event high = parse_line("<191>Oct 22 10:52:01 host app: x");
  EXPECT_EQ(high.find("facility")->number, 23);
  EXPECT_EQ(high.find("severity")->number, 7);
}

TEST(syslog_parser, keeps_an_empty_line) {
  const core::event e = parse_line("");
  EXPECT_EQ(field_names(e), (names{"kind", "received", "peer", "timestamp", "raw",
                                   "parse_error"}));
  EXPECT_EQ(e.text("raw"), "");
  EXPECT_EQ(e.text("parse_error"), "empty line");
}

TEST(syslog_parser, keeps_a_pri_alone_without_error) {
  const core::event e = parse_line("<13>");
  EXPECT_EQ(e.find("severity")->number, 5);
  EXPECT_EQ(e.text("timestamp"), e.text("received"));
  EXPECT_FALSE(e.has("message"));
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(syslog_parser, keeps_non_utf8_bytes_verbatim) {
  const std::string line =
      std::string("<13>Jan 12 06:30:00 host app: caf\xE9 \xFF\xFE\x80 ") + '\0' + "nul";
  const core::event e = parse_line(line);
  EXPECT_EQ(e.text("raw"), line);
  EXPECT_EQ(e.text("message"), std::string("caf\xE9 \xFF\xFE\x80 ") + '\0' + "nul");
  EXPECT_EQ(e.text("app_name"), "app");

  const std::string no_pri = "\xC3\x28\xA0\xA1 binary garbage \x00\x01";
  EXPECT_EQ(parse_line(no_pri).text("raw"), no_pri);
}

TEST(syslog_parser, survives_every_prefix_of_real_lines) {
  // Truncated headers at every byte: never a crash, raw always kept.
  for (const std::string line :
       {"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
        "[exampleSDID@32473 iut=\"3\" eventSource=\"Appl\\\"ication\"][x@1 y=\"\\]\"] msg",
        "<85>Jan 24 15:50:41 ip-172-31-30-110 sudo[6040]: ec2-user : TTY=pts/0",
        "<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection",
        "<7>2006-10-29T01:59:59.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized"}) {
    for (std::size_t n = 0; n <= line.size(); ++n) {
      const std::string prefix = line.substr(0, n);
      SCOPED_TRACE(prefix);
      const core::event e = parse_line(prefix);
      EXPECT_EQ(e.text("raw"), prefix);
      EXPECT_TRUE(e.has("timestamp"));
    }
  }
}

TEST(syslog_parser, survives_random_lines_made_of_header_bytes) {
  // Deterministic xorshift; lines built from the bytes the parsers branch on.
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  static constexpr std::string_view pieces[] = {
      "<", ">", "<13>", "<165>1 ", "1 ", " ", "  ", "-", "[", "]", "=", "\"", "\\", "\\]",
      ":", "[1]", "[", "Jan ", "Feb 29 ", " 1 ", "12 ", "2024 ", "06:30:00", ".123", "Z",
      "+01:00", "2003-10-11T22:14:15", "host", "sshd", "id@1", "p", "\xEF\xBB\xBF", "\xFF",
      std::string_view("\0", 1), "\r"};
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    const int count = static_cast<int>(next() % 16);
    for (int k = 0; k < count; ++k) line += pieces[next() % std::size(pieces)];
    core::event e;
    parse(line, parse_context{received_at(), "192.0.2.1", static_cast<int>(next() % 3) * 2024},
          e);
    ASSERT_EQ(e.text("raw"), line);
    ASSERT_TRUE(e.has("timestamp"));
    ASSERT_EQ(e.fields().front().name, "kind");
  }
}

}  // namespace
}  // namespace talaia::collectors::syslog
