// Cisco IOS / IOS-XR / NX-OS / ASA / FTD headers and tags, and Junos event tags.
#include <gtest/gtest.h>

#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::parse_line;

TEST(syslog_cisco, ios_sequence_host_marker_and_milliseconds) {
  const auto e = parse_line("<189>521: router1: *Nov 14 08:30:56.699: %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down");
  EXPECT_EQ(field(e, "facility"), "23");
  EXPECT_EQ(field(e, "severity"), "5");
  EXPECT_EQ(field(e, "hostname"), "router1");
  EXPECT_EQ(field(e, "timestamp"), "2025-11-14T08:30:56.699000Z");
  EXPECT_EQ(field(e, "app_name"), "%LINK-5-CHANGED");
  EXPECT_EQ(field(e, "message"), "Interface GigabitEthernet2, changed state to administratively down");
  EXPECT_EQ(field(e, "format"), "cisco");
  EXPECT_EQ(field(e, "cisco.sequence"), "521");
  EXPECT_EQ(field(e, "cisco.clock"), "not_authoritative");
  EXPECT_EQ(field(e, "cisco.facility"), "LINK");
  EXPECT_EQ(field(e, "cisco.severity"), "5");
  EXPECT_EQ(field(e, "cisco.mnemonic"), "CHANGED");
  EXPECT_FALSE(e.has("parse_error"));
}

TEST(syslog_cisco, zone_abbreviation_and_lost_sync_marker) {
  const auto e = parse_line("<180>782431: machine1: .Nov 18 21:03:22.631 GMT: %CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch");
  EXPECT_EQ(field(e, "hostname"), "machine1");
  EXPECT_EQ(field(e, "timestamp"), "2025-11-18T21:03:22.631000Z");
  EXPECT_EQ(field(e, "cisco.clock"), "not_synchronized");
  const auto mest = parse_line("<189>1179: NetAuto_CSRv-03: May 31 15:25:53.743 MEST: %LINK-5-CHANGED: Interface GigabitEthernet2");
  EXPECT_EQ(field(mest, "timestamp"), "2025-05-31T13:25:53.743000Z");
  const auto est = parse_line("<187>138076: RP/0/RP0/CPU0:Dec 11 12:43:29.227 EST: snmpd[1002]: %SNMP-SNMP-3-AUTH_FAIL : Received snmp request");
  EXPECT_EQ(field(est, "timestamp"), "2025-12-11T17:43:29.227000Z");
  EXPECT_EQ(field(est, "hostname"), std::nullopt);
  EXPECT_EQ(field(est, "cisco.node"), "RP/0/RP0/CPU0");
  EXPECT_EQ(field(est, "app_name"), "snmpd");
  EXPECT_EQ(field(est, "procid"), "1002");
  EXPECT_EQ(field(est, "cisco.facility"), "SNMP-SNMP");
  EXPECT_EQ(field(est, "cisco.severity"), "3");
  EXPECT_EQ(field(est, "cisco.mnemonic"), "AUTH_FAIL");
}

TEST(syslog_cisco, ios_xr_host_and_node) {
  const auto e = parse_line("<187>94307: gw2.acy1 LC/0/2/CPU0:Jul  7 20:16:14.834 : ifmgr[214]: %PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Down");
  EXPECT_EQ(field(e, "hostname"), "gw2.acy1");
  EXPECT_EQ(field(e, "cisco.node"), "LC/0/2/CPU0");
  EXPECT_EQ(field(e, "cisco.sequence"), "94307");
  EXPECT_EQ(field(e, "timestamp"), "2025-07-07T20:16:14.834000Z");
  EXPECT_EQ(field(e, "app_name"), "ifmgr");
  EXPECT_EQ(field(e, "procid"), "214");
  EXPECT_EQ(field(e, "cisco.facility"), "PKT_INFRA-LINK");
  EXPECT_EQ(field(e, "cisco.mnemonic"), "UPDOWN");
}

TEST(syslog_cisco, missing_hostname_and_missing_clock) {
  const auto no_host = parse_line("<189>35: *Apr 29 14:00:16.059: %SYS-5-CONFIG_I: Configured from console by console");
  EXPECT_EQ(field(no_host, "hostname"), std::nullopt);
  EXPECT_EQ(field(no_host, "timestamp"), "2025-04-29T14:00:16.059000Z");
  EXPECT_EQ(field(no_host, "cisco.mnemonic"), "CONFIG_I");
  const auto no_clock = parse_line("<190>123030: some-remote-host: %SYS-5-LOGGINGHOST_STARTSTOP: Logging to host 192.168.1.239 stopped");
  EXPECT_EQ(field(no_clock, "hostname"), "some-remote-host");
  EXPECT_EQ(field(no_clock, "timestamp"), field(no_clock, "received"));
  EXPECT_EQ(field(no_clock, "cisco.severity"), "5");
  EXPECT_FALSE(no_clock.has("parse_error"));
}

TEST(syslog_cisco, nx_os_year_first) {
  const auto e = parse_line("<190>2018 Apr 20 13:15:07 nexus-switch %ETHPORT-5-IF_UP: Interface Ethernet1/33 is up in mode trunk");
  EXPECT_EQ(field(e, "timestamp"), "2018-04-20T13:15:07Z");
  EXPECT_EQ(field(e, "hostname"), "nexus-switch");
  EXPECT_EQ(field(e, "cisco.mnemonic"), "IF_UP");
  const auto host_first = parse_line("<190>sw01.pdx01: 2017 Jul 28 14:42:46 UTC: %AUTHPRIV-6-SYSTEM_MSG: pam_unix(dcos_sshd:session): session opened");
  EXPECT_EQ(field(host_first, "hostname"), "sw01.pdx01");
  EXPECT_EQ(field(host_first, "timestamp"), "2017-07-28T14:42:46Z");
  EXPECT_EQ(field(host_first, "cisco.facility"), "AUTHPRIV");
}

TEST(syslog_cisco, asa_with_and_without_hostname) {
  const auto e = parse_line("<167>Jan  5 08:52:35 10.22.8.216 %ASA-7-609001: Built local-host inside:10.22.8.205");
  EXPECT_EQ(field(e, "hostname"), "10.22.8.216");
  EXPECT_EQ(field(e, "cisco.facility"), "ASA");
  EXPECT_EQ(field(e, "cisco.severity"), "7");
  EXPECT_EQ(field(e, "cisco.mnemonic"), "609001");
  const auto no_host = parse_line("<164>Aug 05 2016 01:02:25: %ASA-4-106023: Deny udp src Inside:10.230.4.88/42350 dst Outside:192.168.2.53/53");
  EXPECT_EQ(field(no_host, "hostname"), std::nullopt);
  EXPECT_EQ(field(no_host, "timestamp"), "2016-08-05T01:02:25Z");
  EXPECT_EQ(field(no_host, "cisco.mnemonic"), "106023");
  const auto bare = parse_line("%ASA-2-106001: Inbound TCP connection denied from 111.93.241.59/54322");
  EXPECT_EQ(field(bare, "cisco.severity"), "2");
  EXPECT_EQ(field(bare, "cisco.mnemonic"), "106001");
}

TEST(syslog_cisco, ftd_colon_after_hostname) {
  const auto e = parse_line("<166>2022-02-16T15:31:53Z na-zy-int-fp1140-p02 : %FTD-6-305012: Teardown dynamic TCP translation");
  EXPECT_EQ(field(e, "hostname"), "na-zy-int-fp1140-p02");
  EXPECT_EQ(field(e, "app_name"), "%FTD-6-305012");
  EXPECT_EQ(field(e, "message"), "Teardown dynamic TCP translation");
  EXPECT_EQ(field(e, "cisco.facility"), "FTD");
}

TEST(syslog_cisco, percent_words_that_are_no_tag_stay_plain) {
  const auto e = parse_line("<13>Jan  5 08:52:35 host app: disk 95% full, %s-1-x");
  EXPECT_FALSE(e.has("format"));
}

TEST(syslog_junos, event_tag_becomes_msgid) {
  const auto e = parse_line("<28>Jul 20 21:41:37 vmx01 rpd[2965]: BGP_PREFIX_LIMIT_EXCEEDED: 192.168.140.254 (External AS 4230) limit");
  EXPECT_EQ(field(e, "hostname"), "vmx01");
  EXPECT_EQ(field(e, "app_name"), "rpd");
  EXPECT_EQ(field(e, "procid"), "2965");
  EXPECT_EQ(field(e, "msgid"), "BGP_PREFIX_LIMIT_EXCEEDED");
  EXPECT_EQ(field(e, "message"), "BGP_PREFIX_LIMIT_EXCEEDED: 192.168.140.254 (External AS 4230) limit");
  const auto plain = parse_line("<28>Jul 20 21:41:37 host sshd[1]: ERROR: something");
  EXPECT_FALSE(plain.has("msgid"));
}

TEST(syslog_junos, rt_flow_session_close_in_text_form) {
  const auto e = parse_line(
      "<14>Dec 13 13:12:00 srx-firewall RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.10.10.2/53836->10.10.10.1/22 "
      "0x0 junos-ssh 10.10.10.2/53836->10.10.10.1/22 0x0 None None 6 log-host-traffic untrust junos-host 5 78(6657) 122(13305) "
      "45 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No");
  EXPECT_EQ(field(e, "app_name"), "RT_FLOW");
  EXPECT_EQ(field(e, "msgid"), "RT_FLOW_SESSION_CLOSE");
  EXPECT_EQ(field(e, "format"), "junos");
  EXPECT_EQ(field(e, "junos.reason"), "TCP FIN");
  EXPECT_EQ(field(e, "junos.source-address"), "10.10.10.2");
  EXPECT_EQ(field(e, "junos.source-port"), "53836");
  EXPECT_EQ(field(e, "junos.destination-address"), "10.10.10.1");
  EXPECT_EQ(field(e, "junos.destination-port"), "22");
  EXPECT_EQ(field(e, "junos.service-name"), "junos-ssh");
  EXPECT_EQ(field(e, "junos.nat-source-address"), "10.10.10.2");
  EXPECT_EQ(field(e, "junos.protocol-id"), "6");
  EXPECT_EQ(field(e, "junos.policy-name"), "log-host-traffic");
  EXPECT_EQ(field(e, "junos.source-zone-name"), "untrust");
  EXPECT_EQ(field(e, "junos.destination-zone-name"), "junos-host");
  EXPECT_EQ(field(e, "junos.session-id-32"), "5");
  EXPECT_EQ(field(e, "junos.bytes-from-client"), "6657");
  EXPECT_EQ(field(e, "junos.bytes-from-server"), "13305");
  EXPECT_EQ(field(e, "junos.elapsed-time"), "45");
}

TEST(syslog_junos, rt_flow_create_with_nat_rule_words_and_deny) {
  const auto c = parse_line(
      "<14>Dec 13 13:12:00 srx RT_FLOW: RT_FLOW_SESSION_CREATE: session created 172.16.0.1/23456->8.8.8.8/443 junos-https "
      "172.16.0.2/12345->8.8.8.8/443 source rule LAN N/A N/A 6 allow-any PRIVATE PUBLIC 123456 N/A(N/A) hu-1/0/0.0");
  EXPECT_EQ(field(c, "junos.nat-source-address"), "172.16.0.2");
  EXPECT_EQ(field(c, "junos.nat-source-port"), "12345");
  EXPECT_EQ(field(c, "junos.policy-name"), "allow-any");
  EXPECT_EQ(field(c, "junos.session-id-32"), "123456");
  const auto d = parse_line(
      "<14>Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp "
      "17(0) default-deny(global) trust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny");
  EXPECT_EQ(field(d, "junos.destination-port"), "53");
  EXPECT_EQ(field(d, "junos.protocol-id"), "17");
  EXPECT_EQ(field(d, "junos.policy-name"), "default-deny(global)");
  EXPECT_EQ(field(d, "junos.source-zone-name"), "trust");
  EXPECT_FALSE(parse_line("<14>Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: garbage").has("junos.source-address"));
}

}  // namespace
}  // namespace talaia::collectors::syslog
