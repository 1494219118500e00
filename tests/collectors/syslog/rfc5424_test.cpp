// RFC 5424 messages: the four examples of RFC 5424 section 6.5, structured data, nil values,
// timestamps, and malformed headers.
#include "collectors/syslog/rfc5424.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::field_names;
using testing::parse_line;
using names = std::vector<std::string>;

const std::string bom = "\xEF\xBB\xBF";

TEST(rfc5424, section_6_5_example_1_no_structured_data) {
  const std::string line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " +
                           bom + "'su root' failed for lonvick on /dev/pts/8";
  const core::event e = parse_line(line);
  EXPECT_EQ(e.find("facility")->number, 4);  // auth
  EXPECT_EQ(e.find("severity")->number, 2);  // crit
  EXPECT_EQ(e.text("timestamp"), "2003-10-11T22:14:15.003000Z");
  EXPECT_EQ(e.find("timestamp")->number, 1065910455003000);
  EXPECT_EQ(e.text("hostname"), "mymachine.example.com");
  EXPECT_EQ(e.text("app_name"), "su");
  EXPECT_FALSE(e.has("procid"));
  EXPECT_EQ(e.text("msgid"), "ID47");
  EXPECT_EQ(e.text("message"), "'su root' failed for lonvick on /dev/pts/8");  // BOM dropped
  EXPECT_EQ(e.text("raw"), line);                                               // BOM kept
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, section_6_5_example_2_offset_and_microseconds) {
  const core::event e = parse_line(
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
      "%% It's time to make the do-nuts.");
  EXPECT_EQ(e.find("facility")->number, 20);  // local4
  EXPECT_EQ(e.find("severity")->number, 5);   // notice
  EXPECT_EQ(e.text("timestamp"), "2003-08-24T12:14:15.000003Z");
  EXPECT_EQ(e.text("hostname"), "192.0.2.1");
  EXPECT_EQ(e.text("app_name"), "myproc");
  EXPECT_EQ(e.text("procid"), "8710");
  EXPECT_FALSE(e.has("msgid"));
  EXPECT_EQ(e.text("message"), "%% It's time to make the do-nuts.");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, section_6_5_example_3_structured_data_and_message) {
  const core::event e = parse_line(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] " +
      bom + "An application event log entry...");
  EXPECT_EQ(e.text("app_name"), "evntslog");
  EXPECT_EQ(e.text("msgid"), "ID47");
  EXPECT_EQ(e.text("sd.exampleSDID@32473.iut"), "3");
  EXPECT_EQ(e.text("sd.exampleSDID@32473.eventSource"), "Application");
  EXPECT_EQ(e.text("sd.exampleSDID@32473.eventID"), "1011");
  EXPECT_EQ(e.find("sd.exampleSDID@32473.eventID")->type, core::field_type::string);
  EXPECT_EQ(e.text("message"), "An application event log entry...");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, section_6_5_example_4_two_elements_no_message) {
  const core::event e = parse_line(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
      "[examplePriority@32473 class=\"high\"]");
  EXPECT_EQ(field_names(e),
            (names{"kind", "received", "peer", "facility", "severity", "timestamp", "hostname",
                   "app_name", "msgid", "sd.exampleSDID@32473.iut",
                   "sd.exampleSDID@32473.eventSource", "sd.exampleSDID@32473.eventID",
                   "sd.examplePriority@32473.class", "raw"}));
  EXPECT_EQ(e.text("sd.examplePriority@32473.class"), "high");
  EXPECT_FALSE(e.has("message"));
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, all_nil_values_are_absent) {
  const core::event e = parse_line("<10>1 - - - - - -");
  EXPECT_EQ(field_names(e), (names{"kind", "received", "peer", "facility", "severity",
                                   "timestamp", "raw"}));
  EXPECT_EQ(e.text("timestamp"), e.text("received"));  // nil: receive time, no error
}

TEST(rfc5424, nil_timestamp_uses_received_time_without_error) {
  const core::event e = parse_line("<7>1 - bzorp openvpn 2499 - - PTHREAD support initialized");
  EXPECT_EQ(e.text("timestamp"), "2026-01-15T12:00:00Z");
  EXPECT_EQ(e.text("hostname"), "bzorp");
  EXPECT_EQ(e.text("app_name"), "openvpn");
  EXPECT_EQ(e.text("procid"), "2499");
  EXPECT_EQ(e.text("message"), "PTHREAD support initialized");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, undoes_the_three_sd_escapes) {
  // syslog-ng's vector: [a i="\]\"\\"] is ]"\ ; go-syslog's: \]\"\\\\\]\" is ]"\\]"
  EXPECT_EQ(parse_line(R"(<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i="\]\"\\"] An application event log entry...)")
                .text("sd.a.i"),
            R"(]"\)");
  EXPECT_EQ(parse_line(R"(<29>2 2016-01-15T01:00:43Z some-host-name SEKRETPROGRAM prg - [meta escape="\]\"\\\\\]\""])")
                .text("sd.meta.escape"),
            R"(]"\\]")");
  // Any other backslash is a plain backslash.
  EXPECT_EQ(parse_line(R"(<29>50 2016-01-15T01:00:43Z hn S - - [meta es="in \middle\n \u2318"] x)")
                .text("sd.meta.es"),
            R"(in \middle\n \u2318)");
}

TEST(rfc5424, keeps_unescaped_value_and_dotted_sd_id) {
  const core::event e = parse_line(
      R"(<134>1 2009-10-16T11:51:56+02:00 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - [origin ip="exchange.macartney.esbjerg"][meta sequenceId="191732" sysUpTime="68807696"][EventData@18372.4 Data="CONFIG\" -W \"\" -M 1"][Keywords@18372.4 Keyword="Classic"] ApplicationMSExchangeADAccess: message)");
  EXPECT_EQ(e.text("timestamp"), "2009-10-16T09:51:56Z");
  EXPECT_EQ(e.find("timestamp")->number, 1255686716000000);
  EXPECT_EQ(e.text("sd.origin.ip"), "exchange.macartney.esbjerg");
  EXPECT_EQ(e.text("sd.meta.sequenceId"), "191732");
  EXPECT_EQ(e.text("sd.EventData@18372.4.Data"), R"(CONFIG" -W "" -M 1)");
  EXPECT_EQ(e.text("sd.Keywords@18372.4.Keyword"), "Classic");
  EXPECT_EQ(e.text("message"), "ApplicationMSExchangeADAccess: message");
}

TEST(rfc5424, empty_param_value_is_kept_empty) {
  const core::event e = parse_line(R"(<1>1 - - - - - [id pk=""])");
  ASSERT_TRUE(e.has("sd.id.pk"));
  EXPECT_EQ(e.text("sd.id.pk"), "");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, element_without_params_is_valid) {
  const core::event e =
      parse_line("<78>5 2016-01-15T00:04:01+00:00 host1 CROND 10391 - [sdid] some_message");
  EXPECT_EQ(e.text("message"), "some_message");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, converts_offsets_and_fractions_to_utc) {
  EXPECT_EQ(parse_line("<34>1 1987-01-01T12:00:27.000087+00:20 192.0.2.1 myproc 8710 - - x")
                .text("timestamp"),
            "1987-01-01T11:40:27.000087Z");
  EXPECT_EQ(parse_line("<191>999 2018-12-31T23:59:59.999999-23:59 h a p m -").text("timestamp"),
            "2019-01-01T23:58:59.999999Z");
  EXPECT_EQ(parse_line("<28>1 2020-05-22T14:59:09.250-03:00 OX-XXX-MX204 "
                       "OX-XXX-CONTEUDO:rpd 6589 - - bgp")
                .text("timestamp"),
            "2020-05-22T17:59:09.250000Z");
  // More than six fractional digits: kept to microseconds.
  EXPECT_EQ(parse_line("<7>1 2006-11-10T10:43:21.15600000000000000000000000+01:00 h a - - -")
                .text("timestamp"),
            "2006-11-10T09:43:21.156000Z");
  // Lower-case separators are RFC 3339 too.
  EXPECT_EQ(parse_line("<7>1 2006-11-10t10:43:21z h a - - -").text("timestamp"),
            "2006-11-10T10:43:21Z");
}

TEST(rfc5424, timestamp_without_offset_is_taken_as_utc) {
  const core::event e = parse_line(
      "<134>1 2009-10-16T11:51:56 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - - x");
  EXPECT_EQ(e.text("timestamp"), "2009-10-16T11:51:56Z");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, bad_timestamp_falls_back_to_received_and_keeps_parsing) {
  for (const std::string ts : {"2003-02-30T22:14:15Z", "2003-10-11T25:14:15Z",
                               "2003-10-11T22:14:15+2:00", "2003-10-11T22:14", "2003-10-11"}) {
    SCOPED_TRACE(ts);
    const core::event e = parse_line("<34>1 " + ts + " host su - ID47 - hello");
    EXPECT_EQ(e.text("timestamp"), "2026-01-15T12:00:00Z");
    EXPECT_EQ(e.text("parse_error"), "invalid timestamp");
    EXPECT_EQ(e.text("hostname"), "host");
    EXPECT_EQ(e.text("msgid"), "ID47");
    EXPECT_EQ(e.text("message"), "hello");
  }
}

TEST(rfc5424, keeps_one_space_of_the_message) {
  // Strict RFC 5424: one SP after the SD, the rest is MSG.
  EXPECT_EQ(parse_line("<174>1 2016-11-14T09:49:23+01:00 10.23.16.6 named 2255 - -  info: client")
                .text("message"),
            " info: client");
}

TEST(rfc5424, hostname_may_be_ipv6_and_app_name_may_hold_colons) {
  const core::event e =
      parse_line("<34>1 2003-10-11T22:14:15.003Z ::FFFF:129.144.52.38 su - ID47 - bananas");
  EXPECT_EQ(e.text("hostname"), "::FFFF:129.144.52.38");
  EXPECT_EQ(e.text("message"), "bananas");
}

TEST(rfc5424, truncated_header_keeps_what_was_read) {
  const core::event e =
      parse_line("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog");
  EXPECT_EQ(e.text("timestamp"), "2003-10-11T22:14:15.003000Z");
  EXPECT_EQ(e.text("hostname"), "mymachine.example.com");
  EXPECT_EQ(e.text("app_name"), "evntslog");
  EXPECT_FALSE(e.has("message"));
  EXPECT_EQ(e.text("parse_error"), "truncated header");

  // Every header field present but no STRUCTURED-DATA.
  EXPECT_EQ(parse_line("<1>1 - - - - -").text("parse_error"), "truncated header");
  EXPECT_EQ(parse_line("<1>1 - - - - - ").text("parse_error"), "truncated header");
  EXPECT_EQ(parse_line("<1>1 -").text("parse_error"), "truncated header");
}

TEST(rfc5424, double_space_in_header_keeps_the_rest_as_message) {
  const core::event e = parse_line("<165>1 2003-10-11T22:14:15.003Z host  app - - - msg");
  EXPECT_EQ(e.text("hostname"), "host");
  EXPECT_FALSE(e.has("app_name"));
  EXPECT_EQ(e.text("message"), " app - - - msg");
  EXPECT_EQ(e.text("parse_error"), "invalid header");
}

TEST(rfc5424, malformed_structured_data_sets_no_sd_field_and_keeps_the_text) {
  for (const std::string sd :
       {R"([a i=""ok"])", R"([ exampleSDID@0 iut="3"])", R"([meta sequenceId=10])",
        R"([exampleSDID@32473 iut="3" eventSource= "Application"])", R"([a i="unterminated)",
        R"([a i="x"]trailing)", R"([a i="x")", R"([a i="x" ])", R"([a])x", "-x", "x",
        R"([a i="x\"])", R"([a i="x"][)", R"([a="x"])"}) {
    SCOPED_TRACE(sd);
    const core::event e =
        parse_line("<165>1 2003-10-11T22:14:15.003Z host app - ID47 " + sd + " msg");
    EXPECT_EQ(e.text("parse_error"), "invalid structured data");
    EXPECT_EQ(e.text("msgid"), "ID47");
    EXPECT_EQ(e.text("message"), sd + " msg");
    for (const auto& f : e.fields()) EXPECT_NE(f.name.rfind("sd.", 0), 0u) << f.name;
  }
}

TEST(rfc5424, accepts_odd_but_valid_versions) {
  const core::event e = parse_line("<1>103 - host-name app-name proc-id msg-id -");
  EXPECT_EQ(e.text("hostname"), "host-name");
  EXPECT_EQ(e.text("app_name"), "app-name");
  EXPECT_EQ(e.text("procid"), "proc-id");
  EXPECT_EQ(e.text("msgid"), "msg-id");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc5424, detection) {
  EXPECT_TRUE(is_rfc5424("1 - - - - - -"));
  EXPECT_TRUE(is_rfc5424("1 2003-10-11T22:14:15.003Z x"));
  EXPECT_TRUE(is_rfc5424("999 -"));
  EXPECT_FALSE(is_rfc5424("1000 - - - - - -"));
  EXPECT_FALSE(is_rfc5424("0 - - - - - -"));
  EXPECT_FALSE(is_rfc5424("1 hello"));
  EXPECT_FALSE(is_rfc5424("1"));
  EXPECT_FALSE(is_rfc5424("2006-11-10T10:43:21.156+02:00 bzorp openvpn[2499]: x"));
  EXPECT_FALSE(is_rfc5424("521: router1: *Nov 14 08:30:56.699: %LINK-5-CHANGED"));
  EXPECT_FALSE(is_rfc5424("Jan 12 06:30:00 host app: x"));
  EXPECT_FALSE(is_rfc5424(""));
}

}  // namespace
}  // namespace talaia::collectors::syslog
