// RFC 3164 ("BSD") messages as senders really write them. The receive time is
// 2026-01-15T12:00:00Z unless a test says otherwise.
#include "collectors/syslog/rfc3164.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::field_names;
using testing::parse_line;
using testing::received_at;
using names = std::vector<std::string>;

TEST(rfc3164, hostname_and_tag_without_pid) {
  const core::event e = parse_line(
      "<34>Jan 12 06:30:00 xxx apache: 1.2.3.4 - - [12/Jan/2011:06:29:59 +0100] "
      "\"GET /foo/bar.html HTTP/1.1\" 301 96");
  // The access log in the message adds its fields after raw (see access_log.hpp).
  EXPECT_EQ(field_names(e), (names{"kind", "received", "peer", "facility", "severity", "timestamp",
                                   "hostname", "app_name", "message", "raw", "format", "c-ip",
                                   "date", "time", "cs-method", "cs-uri-stem", "cs-uri-query",
                                   "cs-uri", "cs-version",
                                   "sc-status", "sc-bytes"}));
  EXPECT_EQ(e.find("facility")->number, 4);
  EXPECT_EQ(e.find("severity")->number, 2);
  EXPECT_EQ(e.text("timestamp"), "2026-01-12T06:30:00Z");
  EXPECT_EQ(e.text("hostname"), "xxx");
  EXPECT_EQ(e.text("app_name"), "apache");
  EXPECT_EQ(e.text("message"),
            "1.2.3.4 - - [12/Jan/2011:06:29:59 +0100] \"GET /foo/bar.html HTTP/1.1\" 301 96");
}

TEST(rfc3164, hostname_and_tag_with_pid) {
  const core::event e = parse_line(
      "<85>Jan 24 15:50:41 ip-172-31-30-110 sudo[6040]: ec2-user : TTY=pts/0 ; PWD=/var/log ; "
      "USER=root ; COMMAND=/bin/tail secure");
  EXPECT_EQ(e.find("facility")->number, 10);  // authpriv
  EXPECT_EQ(e.find("severity")->number, 5);
  EXPECT_EQ(e.text("timestamp"), "2026-01-24T15:50:41Z");
  EXPECT_EQ(e.text("hostname"), "ip-172-31-30-110");
  EXPECT_EQ(e.text("app_name"), "sudo");
  EXPECT_EQ(e.text("procid"), "6040");
  EXPECT_EQ(e.text("message"),
            "ec2-user : TTY=pts/0 ; PWD=/var/log ; USER=root ; COMMAND=/bin/tail secure");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc3164, sshd_auth_line) {
  const core::event e = parse_line(
      "<38>Feb 20 08:35:22 slave22 sshd[5774]: Failed password for root from 216.160.83.57 port "
      "29160 ssh2");
  EXPECT_EQ(e.find("facility")->number, 4);
  EXPECT_EQ(e.find("severity")->number, 6);
  EXPECT_EQ(e.text("timestamp"), "2025-02-20T08:35:22Z");  // 36 days ahead: last year
  EXPECT_EQ(e.text("hostname"), "slave22");
  EXPECT_EQ(e.text("app_name"), "sshd");
  EXPECT_EQ(e.text("procid"), "5774");
  EXPECT_EQ(e.text("message"), "Failed password for root from 216.160.83.57 port 29160 ssh2");
}

TEST(rfc3164, tag_with_pid_and_no_hostname) {
  const core::event e = parse_line("<13>Nov 27 10:00:00 sshd[123]: msg");
  EXPECT_EQ(field_names(e), (names{"kind", "received", "peer", "facility", "severity",
                                   "timestamp", "app_name", "procid", "message", "raw"}));
  EXPECT_EQ(e.text("timestamp"), "2025-11-27T10:00:00Z");
  EXPECT_EQ(e.text("app_name"), "sshd");
  EXPECT_EQ(e.text("procid"), "123");
  EXPECT_EQ(e.text("message"), "msg");

  const core::event h =
      parse_line("<133>Jan 13 16:33:35 haproxy[73411]: Proxy sticky-servers started.");
  EXPECT_FALSE(h.has("hostname"));
  EXPECT_EQ(h.text("app_name"), "haproxy");
  EXPECT_EQ(h.text("procid"), "73411");
  EXPECT_EQ(h.text("message"), "Proxy sticky-servers started.");
}

TEST(rfc3164, tag_without_pid_and_no_hostname) {
  const core::event e =
      parse_line("<13>Jan 11 22:33:44 su: 'su root' failed for luser on /dev/pts/8");
  EXPECT_FALSE(e.has("hostname"));
  EXPECT_EQ(e.text("app_name"), "su");
  EXPECT_FALSE(e.has("procid"));
  EXPECT_EQ(e.text("message"), "'su root' failed for luser on /dev/pts/8");
}

TEST(rfc3164, hostname_without_tag) {
  const core::event e = parse_line("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!");
  EXPECT_EQ(e.text("timestamp"), "2026-02-05T17:32:18Z");
  EXPECT_EQ(e.text("hostname"), "10.0.0.99");
  EXPECT_FALSE(e.has("app_name"));
  EXPECT_EQ(e.text("message"), "Use the BFG!");
}

TEST(rfc3164, tag_shapes) {
  struct tag_case {
    std::string line, app, procid, message;
  };
  for (const tag_case& c : {
           tag_case{"<167>Mar 27 19:06:53 source_server sshd(pam_unix)[12750]: session opened",
                    "sshd(pam_unix)", "12750", "session opened"},
           tag_case{"<7>Aug 29 02:00:00 bzorp ctld/snmpd[2499]: PTHREAD", "ctld/snmpd", "2499",
                    "PTHREAD"},
           tag_case{"<13>Feb 13 20:07:26 74794bfb6795 root[8539]:syslog message", "root", "8539",
                    "syslog message"},
           tag_case{"<175>Oct 16 2009 23:47:31 hostname tag[1234] This is a message", "tag",
                    "1234", "This is a message"},
           tag_case{"<167>Mar  6 16:57:54 172.20.245.8 %PIX-7-710005: UDP request discarded",
                    "%PIX-7-710005", "", "UDP request discarded"},
           tag_case{"<46>Jan  5 15:33:03 plertrood-ThinkPad-X220 rsyslogd:  "
                    "[origin software=\"rsyslogd\"] start",
                    "rsyslogd", "", " [origin software=\"rsyslogd\"] start"},
           tag_case{"<4>Jan 26 05:59:54 ubnt kernel: [WAN_LOCAL-default-D]IN=eth0 OUT=",
                    "kernel", "", "[WAN_LOCAL-default-D]IN=eth0 OUT="},
       }) {
    SCOPED_TRACE(c.line);
    const core::event e = parse_line(c.line);
    EXPECT_EQ(field(e, "app_name"), c.app);
    EXPECT_EQ(field(e, "procid"), c.procid.empty() ? std::nullopt : std::optional(c.procid));
    EXPECT_EQ(field(e, "message"), c.message);
    EXPECT_FALSE(e.has("parse_error"));
  }
}

TEST(rfc3164, tag_alone_leaves_message_absent) {
  const core::event e = parse_line("<7>Aug 29 02:00:00 bzorp ctld/snmpd[2499]:");
  EXPECT_EQ(e.text("hostname"), "bzorp");
  EXPECT_EQ(e.text("app_name"), "ctld/snmpd");
  EXPECT_FALSE(e.has("message"));
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(rfc3164, words_that_are_not_tags) {
  // No colon after the word, a colon inside it (IPv6, host:port), or nothing before the colon.
  const core::event a = parse_line("<13>Jan 12 06:30:00 2001:db8::1 sshd[1]: x");
  EXPECT_EQ(a.text("hostname"), "2001:db8::1");
  EXPECT_EQ(a.text("app_name"), "sshd");
  const core::event b = parse_line("<13>Jan 12 06:30:00 ::1 hello: world");
  EXPECT_EQ(b.text("hostname"), "::1");
  EXPECT_EQ(b.text("app_name"), "hello");
  const core::event c =
      parse_line("<134> Feb 28 14:07:19 myhostname sshd - - - this is my message");
  EXPECT_EQ(c.text("hostname"), "myhostname");
  EXPECT_FALSE(c.has("app_name"));
  EXPECT_EQ(c.text("message"), "sshd - - - this is my message");
  const core::event seq = parse_line("<189>521: router1: *Nov 14 08:30:56.699: %LINK-5-CHANGED: x");
  // A Cisco sequence number is no program: the header is Cisco's (see cisco_test.cpp).
  EXPECT_EQ(seq.text("hostname"), "router1");
  EXPECT_EQ(seq.text("app_name"), "%LINK-5-CHANGED");
  EXPECT_EQ(seq.text("message"), "x");
  const core::event d = parse_line("<13>Jan 12 06:30:00 host a:b c");
  EXPECT_FALSE(d.has("app_name"));
  EXPECT_EQ(d.text("message"), "a:b c");
}

TEST(rfc3164, no_timestamp_means_no_hostname) {
  const core::event e = parse_line("<15> openvpn[2499]: PTHREAD support initialized");
  EXPECT_EQ(field_names(e), (names{"kind", "received", "peer", "facility", "severity",
                                   "timestamp", "app_name", "procid", "message", "raw"}));
  EXPECT_EQ(e.text("timestamp"), "2026-01-15T12:00:00Z");
  EXPECT_EQ(e.text("app_name"), "openvpn");

  const core::event plain = parse_line("<13>May I help you");  // not a timestamp attempt
  EXPECT_FALSE(plain.has("hostname"));
  EXPECT_FALSE(plain.has("app_name"));
  EXPECT_EQ(plain.text("message"), "May I help you");
  EXPECT_FALSE(plain.has("parse_error"));

  EXPECT_EQ(parse_line("<27>xapi: [error|xen3|15] Connection to master died.").text("app_name"),
            "xapi");
}

TEST(rfc3164, timestamp_forms) {
  struct ts_case {
    std::string line, timestamp, hostname;
  };
  for (const ts_case& c : {
           ts_case{"<190>NOV 22 00:00:33 192.168.33.8-1 CMDLOGGER[165319912]: x",
                   "2025-11-22T00:00:33Z", "192.168.33.8-1"},
           ts_case{"<7> Aug 29 02:00:00.156789 ctld snmpd[2499]: x", "2025-08-29T02:00:00.156789Z",
                   "ctld"},
           ts_case{"<7> Aug 29 02:00:00.156 ctld snmpd[2499]: x", "2025-08-29T02:00:00.156000Z",
                   "ctld"},
           ts_case{"<46>Jan 5 10:01:00 \xC3\x9C""bergr\xC3\xB6\xC3\x9F""e au\xC3\x9F""er",
                   "2026-01-05T10:01:00Z", "\xC3\x9C""bergr\xC3\xB6\xC3\x9F""e"},
           ts_case{"<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED",
                   "2025-06-21T14:03:12Z", "vmx01"},
           ts_case{"<164>Aug 05 2016 01:02:25: %ASA-4-106023: Deny udp", "2016-08-05T01:02:25Z",
                   ""},
           ts_case{"<7>2006-11-10T10:43:21.156+02:00 bzorp openvpn[2499]: x",
                   "2006-11-10T08:43:21.156000Z", "bzorp"},
           ts_case{"<7>2006-11-10T10:43:21.15600000000 bzorp openvpn[2499]: x",
                   "2006-11-10T10:43:21.156000Z", "bzorp"},
           ts_case{"<14>2010-08-30T23:00:05Z X4711 AAAA", "2010-08-30T23:00:05Z", "X4711"},
       }) {
    SCOPED_TRACE(c.line);
    const core::event e = parse_line(c.line);
    EXPECT_EQ(e.text("timestamp"), c.timestamp);
    EXPECT_EQ(field(e, "hostname"), c.hostname.empty() ? std::nullopt : std::optional(c.hostname));
    EXPECT_FALSE(e.has("parse_error"));
  }
}

TEST(rfc3164, cisco_year_and_trailing_colon) {
  const core::event e = parse_line(
      "<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection 1688438");
  EXPECT_EQ(e.text("timestamp"), "2007-04-15T21:28:13Z");
  EXPECT_FALSE(e.has("hostname"));
  EXPECT_EQ(e.text("app_name"), "%PIX-6-302014");
  EXPECT_EQ(e.text("message"), "Teardown TCP connection 1688438");
}

TEST(rfc3164, year_inference_across_new_year) {
  // Sent on New Year's Eve, received just after midnight: last year.
  EXPECT_EQ(parse_line("<13>Dec 31 23:59:58 host app: x", received_at("2026-01-01T00:00:30Z"))
                .text("timestamp"),
            "2025-12-31T23:59:58Z");
  // The sender's clock runs a little ahead across midnight: next year.
  EXPECT_EQ(parse_line("<13>Jan  1 00:00:05 host app: x", received_at("2025-12-31T23:59:50Z"))
                .text("timestamp"),
            "2026-01-01T00:00:05Z");
  // Earlier the same year stays in that year.
  EXPECT_EQ(parse_line("<13>Jan  1 00:00:05 host app: x", received_at("2026-06-15T00:00:00Z"))
                .text("timestamp"),
            "2026-01-01T00:00:05Z");
}

TEST(rfc3164, default_year_overrides_inference) {
  EXPECT_EQ(parse_line("<13>Dec 31 23:59:58 host app: x", received_at("2026-01-01T00:00:30Z"), 2019)
                .text("timestamp"),
            "2019-12-31T23:59:58Z");
  // A year in the header wins over both.
  EXPECT_EQ(
      parse_line("<13>Dec 31 2010 23:59:58 host app: x", received_at(), 2019).text("timestamp"),
      "2010-12-31T23:59:58Z");
}

TEST(rfc3164, february_29th_needs_a_leap_year) {
  EXPECT_EQ(parse_line("<13>Feb 29 14:07:19 host app: x", received_at(), 2024).text("timestamp"),
            "2024-02-29T14:07:19Z");
  const core::event e = parse_line("<13>Feb 29 14:07:19 host app: x", received_at(), 2025);
  EXPECT_EQ(e.text("timestamp"), "2026-01-15T12:00:00Z");
  EXPECT_EQ(e.text("parse_error"), "invalid timestamp");
  EXPECT_EQ(e.text("hostname"), "host");
}

TEST(rfc3164, out_of_range_timestamp_keeps_parsing) {
  for (const std::string ts : {"Jan 32 10:00:00", "Jan  0 10:00:00", "Jan 12 24:00:00",
                               "Jan 12 23:60:00", "Apr 31 10:00:00"}) {
    SCOPED_TRACE(ts);
    const core::event e = parse_line("<13>" + ts + " host app[7]: hello");
    EXPECT_EQ(e.text("timestamp"), "2026-01-15T12:00:00Z");
    EXPECT_EQ(e.text("parse_error"), "invalid timestamp");
    EXPECT_EQ(e.text("hostname"), "host");
    EXPECT_EQ(e.text("app_name"), "app");
    EXPECT_EQ(e.text("procid"), "7");
    EXPECT_EQ(e.text("message"), "hello");
  }
}

TEST(rfc3164, malformed_timestamp_keeps_the_rest_as_message) {
  for (const std::string rest :
       {"Jan 12 6:30:00 host app: x", "Jan 12 06:30 host app: x", "Jan 12 06-30-00 host app: x",
        "Jan 123 06:30:00 host", "Jan 12 06:30:00x host", "Jan 1", "Jan  1", "Jan 12 ",
        "Jan 12 06:30:0"}) {
    SCOPED_TRACE(rest);
    const core::event e = parse_line("<13>" + rest);
    EXPECT_EQ(e.text("timestamp"), "2026-01-15T12:00:00Z");
    EXPECT_EQ(e.text("parse_error"), "invalid timestamp");
    EXPECT_FALSE(e.has("hostname"));
    EXPECT_FALSE(e.has("app_name"));
    EXPECT_EQ(e.text("message"), rest);
  }
  const core::event iso = parse_line("<13>2006-13-10T10:43:21Z host app: x");
  EXPECT_EQ(iso.text("parse_error"), "invalid timestamp");
  EXPECT_EQ(iso.text("hostname"), "host");
  EXPECT_EQ(iso.text("message"), "x");
}

TEST(rfc3164, header_ending_early) {
  const core::event a = parse_line("<14>Aug 30 23:00:05");
  EXPECT_EQ(a.text("timestamp"), "2025-08-30T23:00:05Z");
  EXPECT_FALSE(a.has("hostname"));
  EXPECT_FALSE(a.has("message"));
  EXPECT_FALSE(a.has("parse_error"));
  const core::event b = parse_line("<14>Aug 30 23:00:05 X4711");
  EXPECT_EQ(b.text("hostname"), "X4711");
  EXPECT_FALSE(b.has("message"));
  const core::event c = parse_line("<14>Aug 30 23:00:05 X4711 ");
  EXPECT_EQ(c.text("hostname"), "X4711");
  EXPECT_FALSE(c.has("message"));
}

}  // namespace
}  // namespace talaia::collectors::syslog
