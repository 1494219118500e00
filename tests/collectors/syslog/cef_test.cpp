// CEF and LEEF inside syslog: header fields, extensions, and each escaping rule.
#include <gtest/gtest.h>

#include <random>

#include "collectors/syslog/cef.hpp"
#include "collectors/syslog/panos.hpp"
#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::parse_line;

// find_cef_or_leef is find_cef, and find_leef where there is no CEF: on texts of a small
// alphabet that makes prefixes, near misses and overlaps ("LEEF:", "CEF:", "EF:", "LECEF: 1").
TEST(syslog_cef, one_pass_finds_what_find_cef_and_find_leef_find) {
  std::mt19937 rng(11);
  const std::string_view alphabet = "CELF: 1x";
  std::vector<std::string> texts = {"", "CEF:0|a", "LEEF:1.0|a", "x LEEF:2|a CEF:0|b", "CEF:x LEEF: 1", "LECEF: 1",
                                    "xCEF:0 CEF:1", "F", "EF:", "CEF:", "LEEF:"};
  for (int i = 0; i < 20000; ++i) {
    std::string t(rng() % 24, ' ');
    for (char& c : t) c = alphabet[rng() % alphabet.size()];
    texts.push_back(std::move(t));
  }
  for (const std::string& t : texts) {
    const cef_or_leef found = find_cef_or_leef(t);
    EXPECT_EQ(found.cef, find_cef(t)) << t;
    EXPECT_EQ(found.leef, found.cef == std::string_view::npos ? find_leef(t) : std::string_view::npos) << t;
  }
}

// is_panos's quick refusal keeps both layouts: a leading number, or a first column of ten bytes
// or more with '-' at [4] (the cloud forwarder's ISO time), whatever its first byte.
TEST(syslog_cef, panos_layouts_are_not_refused_early) {
  EXPECT_TRUE(is_panos("1,2024/01/01 00:00:00,0011C103117,TRAFFIC,end,x"));
  EXPECT_TRUE(is_panos("  1,2024/01/01 00:00:00,0011C103117,TRAFFIC,end,x"));
  EXPECT_TRUE(is_panos("2024-01-01T00:00:00Z,0011C103117,THREAT,url,x"));
  EXPECT_TRUE(is_panos("abcd-efghij,0011C103117,THREAT,url,x"));
  EXPECT_FALSE(is_panos("abcd-efg,0011C103117,THREAT,url,x"));
  EXPECT_FALSE(is_panos("x1,2024/01/01 00:00:00,0011C103117,TRAFFIC,end,x"));
  EXPECT_FALSE(is_panos(""));
  EXPECT_FALSE(is_panos("    "));
  EXPECT_FALSE(is_panos("abc-"));
}

TEST(syslog_cef, header_and_extension_with_pri_only) {
  const auto e = parse_line(
      "<14>CEF:0|Imperva Inc.|SecureSphere|10.0.0.4_16|ABC - Secure Login||High|act=alert dst=17.43.200.42 "
      "dpt=88 duser=${Alert.username} rt=31 March 2016 13:04:55 cat=Alert");
  EXPECT_EQ(field(e, "format"), "cef");
  EXPECT_EQ(field(e, "cef.version"), "0");
  EXPECT_EQ(field(e, "cef.device_vendor"), "Imperva Inc.");
  EXPECT_EQ(field(e, "cef.device_product"), "SecureSphere");
  EXPECT_EQ(field(e, "cef.device_version"), "10.0.0.4_16");
  EXPECT_EQ(field(e, "cef.signature_id"), "ABC - Secure Login");
  EXPECT_EQ(field(e, "cef.name"), "");
  EXPECT_EQ(field(e, "cef.severity"), "High");
  EXPECT_EQ(field(e, "cef.dst"), "17.43.200.42");
  EXPECT_EQ(field(e, "cef.duser"), "${Alert.username}");
  EXPECT_EQ(field(e, "cef.rt"), "31 March 2016 13:04:55");  // values hold spaces
  EXPECT_EQ(field(e, "cef.cat"), "Alert");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(syslog_cef, after_a_bsd_header_and_with_a_space_after_the_colon) {
  // PAN-OS 6.1: "CEF: 0|..." reads as the tag "CEF" followed by the message "0|...".
  const auto e = parse_line(
      "<14>Apr  7 10:10:10 hostname CEF: 0|Palo Alto Networks|PAN-OS|6.1.3|url|THREAT|1|src=10.10.10.10 "
      "request=\\\"www.example.com/\\\" cs2Label=URL Cat cs2=gambling");
  EXPECT_EQ(field(e, "hostname"), "hostname");
  EXPECT_EQ(field(e, "cef.device_vendor"), "Palo Alto Networks");
  EXPECT_EQ(field(e, "cef.src"), "10.10.10.10");
  EXPECT_EQ(field(e, "cef.request"), "\\\"www.example.com/\\\"");  // \" is no CEF escape
  EXPECT_EQ(field(e, "cef.cs2Label"), "URL Cat");
  EXPECT_EQ(field(e, "cef.cs2"), "gambling");
}

TEST(syslog_cef, found_inside_a_header_without_pri) {
  const auto e = parse_line(
      "Mar 21 14:05:02 HHHPVATN1 CEF:0|Cyber-Ark|Vault|7.20.0091|295|Retrieve password|5|act=Retrieve password "
      "fname=Root\\ABC phobos3 - COMP dvc=120.99.70.3 dhost= duser= cs2Label=\"Safe Name\" cs2=Security Vulnerability Mgmt");
  EXPECT_EQ(field(e, "cef.device_vendor"), "Cyber-Ark");
  EXPECT_EQ(field(e, "cef.fname"), "Root\\ABC phobos3 - COMP");
  EXPECT_EQ(field(e, "cef.dvc"), "120.99.70.3");
  EXPECT_EQ(field(e, "cef.dhost"), "");
  EXPECT_EQ(field(e, "cef.cs2Label"), "\"Safe Name\"");
  EXPECT_EQ(field(e, "cef.cs2"), "Security Vulnerability Mgmt");
}

TEST(syslog_cef, header_escapes) {
  const auto e = parse_line("<14>CEF:0|secu\\|rity|threatmanager\\||1.\\|0|10\\|0|tro\\|jan successfully stopped|\\|10|");
  EXPECT_EQ(field(e, "cef.device_vendor"), "secu|rity");
  EXPECT_EQ(field(e, "cef.device_product"), "threatmanager|");
  EXPECT_EQ(field(e, "cef.device_version"), "1.|0");
  EXPECT_EQ(field(e, "cef.signature_id"), "10|0");
  EXPECT_EQ(field(e, "cef.name"), "tro|jan successfully stopped");
  EXPECT_EQ(field(e, "cef.severity"), "|10");
}

TEST(syslog_cef, extension_escapes) {
  const auto e = parse_line(
      "<14>CEF:0|a|b|1|100|n|10|foo=bar msg=escaped equals \\= and newlines \\n returns \\r backslashes \\\\ in it "
      "moo=this\\|has a pipe eq=this =has = equals\\= bar=baz");
  EXPECT_EQ(field(e, "cef.foo"), "bar");
  EXPECT_EQ(field(e, "cef.msg"), "escaped equals = and newlines \n returns \r backslashes \\ in it");
  EXPECT_EQ(field(e, "cef.moo"), "this\\|has a pipe");
  EXPECT_EQ(field(e, "cef.eq"), "this =has = equals=");
  EXPECT_EQ(field(e, "cef.bar"), "baz");
}

TEST(syslog_cef, incomplete_header_is_flagged_and_kept) {
  const auto e = parse_line("<14>CEF:0|vendor|product");
  EXPECT_EQ(field(e, "parse_error"), "invalid CEF header");
  EXPECT_EQ(field(e, "cef.device_vendor"), "vendor");  // what was read is kept
  EXPECT_EQ(field(e, "raw"), "<14>CEF:0|vendor|product");
}

TEST(syslog_leef, version_1_tab_separated) {
  const auto e = parse_line("<13>LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345| src=192.0.2.0\tdst=172.50.123.1\tsev=5\tusrName=joe.black");
  EXPECT_EQ(field(e, "format"), "leef");
  EXPECT_EQ(field(e, "leef.version"), "1.0");
  EXPECT_EQ(field(e, "leef.vendor"), "Microsoft");
  EXPECT_EQ(field(e, "leef.product"), "MSExchange");
  EXPECT_EQ(field(e, "leef.product_version"), "4.0 SP1");
  EXPECT_EQ(field(e, "leef.event_id"), "15345");
  EXPECT_EQ(field(e, "leef.src"), "192.0.2.0");
  EXPECT_EQ(field(e, "leef.dst"), "172.50.123.1");
  EXPECT_EQ(field(e, "leef.usrName"), "joe.black");
}

TEST(syslog_leef, version_2_declared_delimiter) {
  const auto e = parse_line("<13>LEEF:2.0|Lancope|StealthWatch|1.0|41|^| src=192.0.2.0^dst=172.50.123.1^usrName=a\\^b");
  EXPECT_EQ(field(e, "leef.delimiter"), "^");
  EXPECT_EQ(field(e, "leef.src"), "192.0.2.0");
  EXPECT_EQ(field(e, "leef.dst"), "172.50.123.1");
  EXPECT_EQ(field(e, "leef.usrName"), "a^b");
}

TEST(syslog_leef, declared_delimiter_not_used_gives_no_split) {
  const auto e = parse_line("<13>LEEF:2.0|Lancope|StealthWatch|1.0|41|^| src=192.0.2.0\tdst=172.50.123.1");
  EXPECT_EQ(field(e, "leef.src"), "192.0.2.0\tdst=172.50.123.1");
  EXPECT_FALSE(e.has("leef.dst"));
}

TEST(syslog_leef, hex_delimiter_and_strict_tab_split) {
  const auto hex = parse_line("<13>LEEF:2.0|V|P|1|7|0x7c|a=1|b=2");
  EXPECT_EQ(field(hex, "leef.a"), "1");
  EXPECT_EQ(field(hex, "leef.b"), "2");
  // Trend Micro mixes spaces into TAB-separated attributes: a TAB split keeps them in the value.
  const auto tm = parse_line("LEEF:2.0|Trend Micro|Deep Security Agent|<DSA version>|2002779|cat=Integrity Monitor\tsev=8 cn1=37 cn1Label=Host ID\tact=updated");
  EXPECT_EQ(field(tm, "leef.cat"), "Integrity Monitor");
  EXPECT_EQ(field(tm, "leef.sev"), "8 cn1=37 cn1Label=Host ID");
  EXPECT_EQ(field(tm, "leef.act"), "updated");
}

TEST(syslog_leef, space_separated_without_tabs) {
  const auto e = parse_line("<13>LEEF:0|Incapsula|SIEMintegration|0|SQL Injection| fileId=3412 requestMethod=GET qstr=keywords\\=3%29 cn1=200");
  EXPECT_EQ(field(e, "leef.fileId"), "3412");
  EXPECT_EQ(field(e, "leef.requestMethod"), "GET");
  EXPECT_EQ(field(e, "leef.qstr"), "keywords=3%29");
  EXPECT_EQ(field(e, "leef.cn1"), "200");
}

TEST(syslog_cef, device_time_when_the_header_has_none) {
  const auto rt = parse_line("<14>CEF:0|v|p|1|2|n|3|rt=Apr 07 2017 00:10:10 GMT src=10.0.0.1");
  EXPECT_EQ(field(rt, "timestamp"), "2017-04-07T00:10:10Z");
  const auto ms = parse_line("<14>CEF:0|v|p|1|2|n|3|rt=1459517280810 src=10.0.0.1");
  EXPECT_EQ(field(ms, "timestamp"), "2016-04-01T13:28:00.810000Z");
  const auto header = parse_line("<14>Apr  7 10:10:10 host CEF:0|v|p|1|2|n|3|rt=Apr 07 2017 00:10:10 GMT");
  EXPECT_EQ(field(header, "timestamp"), "2025-04-07T10:10:10Z");  // the header's time wins
  const auto odd = parse_line("<14>CEF:0|v|p|1|2|n|3|rt=31 March 2016 13:04:55");
  EXPECT_EQ(field(odd, "timestamp"), field(odd, "received"));
  const auto leef = parse_line("LEEF:2.0|Lancope|StealthWatch|1.0|41|src=10.0.0.1\tdevTime=May 1 2016 09:29:11.356 -0400\tdst=2.1.2.2");
  EXPECT_EQ(field(leef, "timestamp"), "2016-05-01T13:29:11.356000Z");
}

}  // namespace
}  // namespace talaia::collectors::syslog
