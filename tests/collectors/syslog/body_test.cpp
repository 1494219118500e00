// Message bodies in vendor formats: PAN-OS and filterlog CSV, FortiGate and generic key=value,
// Apache/nginx access logs into W3C names.
#include <gtest/gtest.h>

#include "collectors/syslog/time_zone.hpp"
#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::parse_line;

TEST(syslog_panos, traffic_columns_by_name) {
  const auto e = parse_line(
      "<14>Jan  5 12:51:34 PAN1.exampleCustomer.com 1,2015/01/05 12:51:33,0011C103117,TRAFFIC,end,1,2015/01/05 12:51:33,"
      "10.0.0.53,10.1.0.174,0.0.0.0,0.0.0.0,EX-EasyAV2,,,mssql-db,vsys1,v_dmz-internal,v_dmz-external,ethernet1/4,"
      "ethernet1/3,LOG-Default,2015/01/05 12:51:33,34103936,1,54270,40004,0,0,0x401c,tcp,allow,5385,3299,2086,26,"
      "2015/01/05 12:51:01,30,any,0,17754932047,0x0,10.0.0.0-10.255.255.255,10.0.0.0-10.255.255.255,0,11,15 ");
  EXPECT_EQ(field(e, "hostname"), "PAN1.exampleCustomer.com");
  EXPECT_EQ(field(e, "format"), "panos");
  EXPECT_EQ(field(e, "panos.serial_number"), "0011C103117");
  EXPECT_EQ(field(e, "panos.type"), "TRAFFIC");
  EXPECT_EQ(field(e, "panos.subtype"), "end");
  EXPECT_EQ(field(e, "panos.source_ip"), "10.0.0.53");
  EXPECT_EQ(field(e, "panos.destination_ip"), "10.1.0.174");
  EXPECT_EQ(field(e, "panos.rule_name"), "EX-EasyAV2");
  EXPECT_EQ(field(e, "panos.application"), "mssql-db");
  EXPECT_EQ(field(e, "panos.source_zone"), "v_dmz-internal");
  EXPECT_EQ(field(e, "panos.session_id"), "34103936");
  EXPECT_EQ(field(e, "panos.source_port"), "54270");
  EXPECT_EQ(field(e, "panos.destination_port"), "40004");
  EXPECT_EQ(field(e, "panos.protocol"), "tcp");
  EXPECT_EQ(field(e, "panos.action"), "allow");
  EXPECT_EQ(field(e, "panos.bytes_sent"), "3299");
  EXPECT_EQ(field(e, "panos.packets_received"), "15");
  EXPECT_FALSE(e.has("panos.source_user"));  // empty column: absent
}

TEST(syslog_panos, threat_quoted_url_and_system_event) {
  const auto t = parse_line(
      "<14>Jul 14 11:22:29 fw 1,2019/07/14 10:26:22,003924147953,THREAT,url,2057,2019/07/14 10:20:24,192.0.2.1,"
      "192.0.2.2,0.0.0.0,0.0.0.0,rule,,,web-browsing,vsys1,in,out,e1,e2,fwd,2019/07/14 10:20:24,1,1,1,80,0,0,0x0,tcp,"
      "alert,\"www.example.com/string/\"\"hello\"\"\",(9999),any,informational,client-to-server");
  EXPECT_EQ(field(t, "panos.url_filename"), "www.example.com/string/\"hello\"");
  EXPECT_EQ(field(t, "panos.threat_id"), "(9999)");
  EXPECT_EQ(field(t, "panos.direction"), "client-to-server");
  const auto s = parse_line(
      "<12>Apr 14 16:48:54 paloalto.test.net 1,2020/04/14 16:48:54,unknown,SYSTEM,auth,0,2020/04/14 16:48:54,,auth-fail,"
      ",0,0,general,medium,failed authentication for user 'admin'.,1718,0x0,0,0,0,0,,paloalto");
  EXPECT_EQ(field(s, "panos.event_id"), "auth-fail");
  EXPECT_EQ(field(s, "panos.severity"), "medium");
  EXPECT_EQ(field(s, "panos.device_name"), "paloalto");
}

TEST(syslog_filterlog, ipv4_udp_and_icmp_without_hostname) {
  const auto udp = parse_line("<134>Nov  8 12:37:34 pfSense filterlog: 5,,,1000102433,em0,match,block,in,4,0x0,,128,24677,0,none,17,udp,186,10.9.0.119,10.9.0.255,17500,17600,166");
  EXPECT_EQ(field(udp, "hostname"), "pfSense");
  EXPECT_EQ(field(udp, "format"), "filterlog");
  EXPECT_EQ(field(udp, "filterlog.rule_number"), "5");
  EXPECT_EQ(field(udp, "filterlog.tracker"), "1000102433");
  EXPECT_EQ(field(udp, "filterlog.interface"), "em0");
  EXPECT_EQ(field(udp, "filterlog.action"), "block");
  EXPECT_EQ(field(udp, "filterlog.direction"), "in");
  EXPECT_EQ(field(udp, "filterlog.protocol"), "udp");
  EXPECT_EQ(field(udp, "filterlog.source_ip"), "10.9.0.119");
  EXPECT_EQ(field(udp, "filterlog.destination_ip"), "10.9.0.255");
  EXPECT_EQ(field(udp, "filterlog.source_port"), "17500");
  EXPECT_EQ(field(udp, "filterlog.destination_port"), "17600");
  EXPECT_EQ(field(udp, "filterlog.data_length"), "166");
  const auto icmp = parse_line("<134>Jan 22 18:34:00 filterlog: 65,,,0,vmx1,match,pass,out,4,0x0,,63,21011,0,none,1,icmp,56,192.168.105.11,192.168.105.1,datalength=36");
  EXPECT_EQ(field(icmp, "hostname"), std::nullopt);
  EXPECT_EQ(field(icmp, "app_name"), "filterlog");
  EXPECT_EQ(field(icmp, "filterlog.action"), "pass");
  EXPECT_EQ(field(icmp, "filterlog.data_length"), "36");
  const auto tcp6 = parse_line("<134>Jan 22 18:34:00 fw filterlog: 9,,,1000000105,igb0,match,block,in,6,0x00,0x00000,64,tcp,6,40,2001:db8::1,2001:db8::2,51234,443,0,S,123,,1024,,mss");
  EXPECT_EQ(field(tcp6, "filterlog.source_ip"), "2001:db8::1");
  EXPECT_EQ(field(tcp6, "filterlog.destination_port"), "443");
  EXPECT_EQ(field(tcp6, "filterlog.tcp_flags"), "S");
  const auto cut = parse_line("<134>Jan 22 18:34:00 fw filterlog: 9,,,1000000105,igb0");
  EXPECT_EQ(field(cut, "parse_error"), "invalid filterlog record");
}

TEST(syslog_fortigate, key_values_without_header_give_the_event_time) {
  const auto e = parse_line("<189>date=2019-04-09 time=04:27:29 devname=fw01 devid=FG800D0123456789 logid=0000000013 type=traffic subtype=forward vd=\"root\" msg=\"a \\\"quoted\\\" word\"");
  EXPECT_EQ(field(e, "format"), "fortigate");
  EXPECT_EQ(field(e, "fortigate.devname"), "fw01");
  EXPECT_EQ(field(e, "fortigate.devid"), "FG800D0123456789");
  EXPECT_EQ(field(e, "fortigate.logid"), "0000000013");
  EXPECT_EQ(field(e, "fortigate.vd"), "root");
  EXPECT_EQ(field(e, "fortigate.msg"), "a \"quoted\" word");
  EXPECT_EQ(field(e, "timestamp"), "2019-04-09T04:27:29Z");
  const auto odd = parse_line("date=2016-06-16 time=10: 13:03 devname=D devid=F logid=1");
  EXPECT_EQ(field(odd, "fortigate.time"), "10: 13:03");
}

TEST(syslog_fortigate, time_zone_of_the_source_and_tz_field) {
  const auto madrid = time_zone::fixed(3600, "+01:00");
  core::event e;
  parse("<189>date=2019-04-09 time=04:27:29 devname=fw01 devid=F logid=1",
        parse_context{testing::received_at(), "192.0.2.1", 0, &madrid}, e);
  EXPECT_EQ(field(e, "timestamp"), "2019-04-09T03:27:29Z");
  const auto tz = parse_line("<189>date=2019-04-09 time=04:27:29 devname=fw01 devid=F logid=1 tz=\"-0500\"");
  EXPECT_EQ(field(tz, "timestamp"), "2019-04-09T09:27:29Z");
}

TEST(syslog_key_value, only_when_the_source_asks) {
  const std::string line = "<13>Jan  5 08:52:35 host app: user=alice action=\"log in\" result=ok";
  EXPECT_FALSE(parse_line(line).has("kv.user"));
  core::event e;
  parse(line, parse_context{testing::received_at(), "192.0.2.1", 0, nullptr, true}, e);
  EXPECT_EQ(field(e, "format"), "key_value");
  EXPECT_EQ(field(e, "kv.user"), "alice");
  EXPECT_EQ(field(e, "kv.action"), "log in");
  EXPECT_EQ(field(e, "kv.result"), "ok");
}

TEST(syslog_access_log, nginx_combined_over_syslog_into_w3c_names) {
  const auto e = parse_line(
      "<190>Dec 28 16:49:07 plertrood-thinkpad-x220 nginx: 127.0.0.1 - - [28/Dec/2019:16:49:07 +0000] "
      "\"GET /admin/login.php?user=admin&pass=x HTTP/1.1\" 404 153 \"http://example.com/\" \"Mozilla/5.0 (X11)\"");
  EXPECT_EQ(field(e, "app_name"), "nginx");
  EXPECT_EQ(field(e, "format"), "access_log");
  EXPECT_EQ(field(e, "c-ip"), "127.0.0.1");
  EXPECT_EQ(field(e, "cs-method"), "GET");
  EXPECT_EQ(field(e, "cs-uri-stem"), "/admin/login.php");
  // The whole URI, as SigmaHQ's webserver rules expect (`|contains|all: [path, parameter]`).
  EXPECT_EQ(field(e, "cs-uri-query"), "/admin/login.php?user=admin&pass=x");
  EXPECT_EQ(field(e, "cs-uri"), "/admin/login.php?user=admin&pass=x");
  EXPECT_EQ(field(e, "cs-version"), "HTTP/1.1");
  EXPECT_EQ(field(e, "sc-status"), "404");
  EXPECT_EQ(field(e, "sc-bytes"), "153");
  EXPECT_EQ(field(e, "cs-referer"), "http://example.com/");
  EXPECT_EQ(field(e, "cs-user-agent"), "Mozilla/5.0 (X11)");
  EXPECT_EQ(field(e, "date"), "2019-12-28");
  EXPECT_EQ(field(e, "time"), "16:49:07");
  EXPECT_FALSE(e.has("cs-username"));
}

TEST(syslog_access_log, forwarded_list_user_empty_request_and_bare_line_time) {
  const auto e = parse_line("10.0.0.2, 10.0.0.1, 127.0.0.1 - bob [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" 200 571 \"-\" \"curl\"");
  EXPECT_EQ(field(e, "c-ip"), "10.0.0.2");
  EXPECT_EQ(field(e, "cs-username"), "bob");
  EXPECT_EQ(field(e, "time"), "10:05:07");
  EXPECT_EQ(field(e, "timestamp"), "2016-12-07T10:05:07Z");  // the line had no header time
  EXPECT_FALSE(e.has("cs-referer"));
  const auto empty = parse_line("<13>Jan  5 08:52:35 web apache: 172.17.0.1 - - [29/May/2017:19:02:48 +0000] \"\" 400 0 \"-\" \"-\"");
  EXPECT_EQ(field(empty, "sc-status"), "400");
  EXPECT_FALSE(empty.has("cs-method"));
  EXPECT_EQ(field(empty, "timestamp"), "2026-01-05T08:52:35Z");  // the header's time wins
}

TEST(syslog_access_log, look_alikes_are_left_alone) {
  EXPECT_FALSE(parse_line("<13>Jan  5 08:52:35 web app: something [07/Dec/2016:11:05:07 +0100] happened").has("format"));
  EXPECT_FALSE(parse_line("<13>Jan  5 08:52:35 web app: a b c [not a date at all here ok] \"GET /\" 200 1").has("c-ip"));
}

}  // namespace
}  // namespace talaia::collectors::syslog
