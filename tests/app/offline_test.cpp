// `talaia decode` and `talaia replay` options (app/offline.cpp): --year for RFC 3164 timestamps
// without a year, and --port PORT=PROTOCOL pinning a capture's UDP port to a protocol.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <sstream>

#include "tests/support/process.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::vector<json::object> events_of(const std::string& out) {
  std::vector<json::object> events;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) events.push_back(json::parse(line).as_object());
  return events;
}

std::string text(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

struct datagram {
  std::uint16_t dst_port;
  std::string payload;
};

// A classic pcap (raw IPv4) of UDP datagrams from 192.0.2.7:40000 to 192.0.2.1.
std::string pcap_of(const std::vector<datagram>& datagrams) {
  auto le32 = [](std::uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
  auto be16 = [](std::size_t v) { return std::string{char(v >> 8), char(v)}; };
  std::string file = le32(0xa1b2c3d4) + std::string{2, 0, 4, 0} + le32(0) + le32(0) + le32(65535) + le32(101);
  std::uint32_t t = 1455000000;  // 2016-02-09
  for (const auto& d : datagrams) {
    const std::string udp = be16(40000) + be16(d.dst_port) + be16(8 + d.payload.size()) + be16(0) + d.payload;
    const std::string ip = std::string("\x45\x00", 2) + be16(20 + udp.size()) + std::string(4, '\0') +
                           std::string("\x40\x11\x00\x00\xC0\x00\x02\x07\xC0\x00\x02\x01", 12) + udp;
    file += le32(t++) + le32(0) + le32(static_cast<std::uint32_t>(ip.size())) + le32(static_cast<std::uint32_t>(ip.size())) + ip;
  }
  return file;
}

const std::string pipeline_rules = source_dir() + "/tests/data/pipeline/rules";
const std::string marker_rule = "0b7f5e2a-7c1d-4a8e-9f3b-2d6c8e1a4b01";  // "intrusion-marker" anywhere

// A line as Arista EOS sends it (shared/corpus/syslog/napalm-logs_other_vendors.txt), and one
// dated 29 February, which only a leap year has: inferred as this year (2026) it cannot be read.
const std::string eos_line =
    "<165>Feb  7 22:22:35 HOSTNAME Bfd: %BFD-5-STATE_CHANGE: peer (vrf:default, ip:18.11.5.1, intf:Ethernet50/1, "
    "srcIp:0.0.0.0, type:normal) changed state from Down to Up diag None";
const std::string leap_line = "<38>Feb 29 03:14:15 web01 sshd[4721]: Failed password for root from 203.0.113.5 port 4242 ssh2 intrusion-marker";

TEST(decode_year, year_less_timestamps_take_the_given_year) {
  const fs::path dir = make_temp_dir("talaia-decode-year");
  write_file(dir / "old.log", eos_line + "\n" + leap_line + "\n");
  auto r = run_command({talaia_binary(), "decode", "--year", "2016", (dir / "old.log").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  auto events = events_of(r.out);
  ASSERT_EQ(events.size(), 2u) << r.out;
  EXPECT_EQ(text(events[0], "timestamp"), "2016-02-07T22:22:35Z");
  EXPECT_EQ(text(events[0], "hostname"), "HOSTNAME");
  EXPECT_EQ(text(events[1], "timestamp"), "2016-02-29T03:14:15Z");
  EXPECT_FALSE(events[1].contains("parse_error")) << text(events[1], "parse_error");

  // Without --year the year is inferred from the receive time (now): not 2016.
  auto inferred = run_command({talaia_binary(), "decode", (dir / "old.log").string()});
  ASSERT_EQ(inferred.code, 0) << inferred.err;
  events = events_of(inferred.out);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(text(events[0], "timestamp").substr(0, 4), "2016");
  EXPECT_TRUE(text(events[0], "timestamp").ends_with("-02-07T22:22:35Z")) << text(events[0], "timestamp");
}

TEST(decode_year, applies_to_syslog_in_captures_and_is_checked) {
  const fs::path dir = make_temp_dir("talaia-decode-year-pcap");
  write_file(dir / "old.pcap", pcap_of({{514, eos_line}}));
  auto r = run_command({talaia_binary(), "decode", "--year", "2016", (dir / "old.pcap").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto events = events_of(r.out);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(text(events[0], "timestamp"), "2016-02-07T22:22:35Z");
  auto bad = run_command({talaia_binary(), "decode", "--year", "16a", (dir / "old.pcap").string()});
  EXPECT_NE(bad.code, 0);
}

TEST(replay_year, incidents_carry_the_given_year) {
  const fs::path dir = make_temp_dir("talaia-replay-year");
  write_file(dir / "old.log", leap_line + "\n");
  auto r = run_command({talaia_binary(), "replay", "--rules", pipeline_rules, "--year", "2016", (dir / "old.log").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto incidents = events_of(r.out);
  ASSERT_FALSE(incidents.empty()) << r.err;
  bool marker = false;
  for (const auto& inc : incidents) {
    marker |= text(inc, "rule_id") == marker_rule;
    EXPECT_EQ(text(inc, "first_seen"), "2016-02-29T03:14:15Z") << r.out;
  }
  EXPECT_TRUE(marker) << r.out;
}

// A capture where recognition by content guesses wrong twice: an SSDP announcement (text, so it
// looks like syslog) on 1900, and syslog from a sender writing UTF-16 (half its bytes are NUL,
// so it looks like nothing) on 1514.
std::string utf16le(const std::string& ascii) {
  std::string out;
  for (char c : ascii) out += c, out += '\0';
  return out;
}
const std::string ssdp = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: urn:intrusion-marker:device:1\r\nNTS: ssdp:alive\r\n\r\n";
const std::string utf16_syslog = utf16le("<38>Feb 29 03:14:15 win7 EventLog: logon failure intrusion-marker");

TEST(decode_port, pinned_ports_override_recognition_by_content) {
  const fs::path dir = make_temp_dir("talaia-decode-port");
  write_file(dir / "mixed.pcap", pcap_of({{1900, ssdp}, {1514, utf16_syslog}}));

  // By content: the SSDP text becomes a syslog event, the UTF-16 syslog is not recognised.
  auto guessed = run_command({talaia_binary(), "decode", (dir / "mixed.pcap").string()});
  ASSERT_EQ(guessed.code, 0) << guessed.err;
  auto events = events_of(guessed.out);
  ASSERT_EQ(events.size(), 1u) << guessed.out;
  EXPECT_NE(text(events[0], "raw").find("NOTIFY"), std::string::npos);
  EXPECT_NE(guessed.err.find("unknown 1"), std::string::npos) << guessed.err;

  // Pinned: 1900 skipped, 1514 decoded as syslog (NUL bytes kept, escaped, in raw).
  auto pinned = run_command({talaia_binary(), "decode", "--port", "1900=none", "--port", "1514=syslog", (dir / "mixed.pcap").string()});
  ASSERT_EQ(pinned.code, 0) << pinned.err;
  events = events_of(pinned.out);
  ASSERT_EQ(events.size(), 1u) << pinned.out;
  EXPECT_EQ(text(events[0], "kind"), "syslog");
  EXPECT_EQ(text(events[0], "peer"), "192.0.2.7");
  // Trailing NUL, CR and LF end a datagram's message, as the listener does.
  EXPECT_EQ(text(events[0], "raw"), utf16_syslog.substr(0, utf16_syslog.size() - 1));
  EXPECT_NE(pinned.err.find("port 1514 pinned 1"), std::string::npos) << pinned.err;
  EXPECT_NE(pinned.err.find("port 1900 pinned 1"), std::string::npos) << pinned.err;
}

TEST(replay_port, pinning_decides_what_reaches_the_rules) {
  const fs::path dir = make_temp_dir("talaia-replay-port");
  write_file(dir / "ssdp.pcap", pcap_of({{1900, ssdp}}));
  // Guessed as syslog, the SSDP announcement's text fires the keyword rule...
  auto guessed = run_command({talaia_binary(), "replay", "--rules", pipeline_rules, (dir / "ssdp.pcap").string()});
  ASSERT_EQ(guessed.code, 0) << guessed.err;
  EXPECT_NE(guessed.out.find(marker_rule), std::string::npos) << guessed.out;
  // ...pinned to none, it never reaches them.
  auto pinned = run_command({talaia_binary(), "replay", "--rules", pipeline_rules, "--port", "1900=none", (dir / "ssdp.pcap").string()});
  ASSERT_EQ(pinned.code, 0) << pinned.err;
  EXPECT_TRUE(events_of(pinned.out).empty()) << pinned.out;
}

TEST(decode_port, pinning_a_flow_port_sends_every_datagram_to_the_flow_decoder) {
  const fs::path dir = make_temp_dir("talaia-decode-port-flow");
  // A NetFlow v5 header claiming 31 records (more than v5 allows): not recognised by content;
  // pinned to netflow, the decoder gets it and counts it as not decoded.
  std::string v5(24 + 31 * 48, '\0');
  v5[1] = 5, v5[3] = 31;
  write_file(dir / "v5.pcap", pcap_of({{9995, v5}}));
  auto guessed = run_command({talaia_binary(), "decode", (dir / "v5.pcap").string()});
  ASSERT_EQ(guessed.code, 0) << guessed.err;
  EXPECT_NE(guessed.err.find("unknown 1"), std::string::npos) << guessed.err;
  auto pinned = run_command({talaia_binary(), "decode", "--port", "9995=netflow", (dir / "v5.pcap").string()});
  ASSERT_EQ(pinned.code, 0) << pinned.err;
  EXPECT_NE(pinned.err.find("port 9995 pinned 1"), std::string::npos) << pinned.err;
  EXPECT_NE(pinned.err.find("1 flow packets not decoded"), std::string::npos) << pinned.err;
  auto bad = run_command({talaia_binary(), "decode", "--port", "9995=telnet", (dir / "v5.pcap").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("unknown protocol 'telnet'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace talaia::testing
