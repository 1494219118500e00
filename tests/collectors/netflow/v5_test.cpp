#include "collectors/netflow/v5.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectors/capture/pcap.hpp"

namespace talaia::collectors::netflow {
namespace {

std::string u16(unsigned v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)}; }
std::string u32(unsigned v) { return u16(v >> 16) + u16(v & 0xFFFF); }

// A v5 packet with one record: 10.0.0.1:40000 -> 192.0.2.9:22 tcp, 5 packets, 600 bytes.
std::string one_record_packet(unsigned count_field = 1) {
  std::string p = u16(5) + u16(count_field) + u32(100000) /*uptime ms*/ + u32(1772445601) + u32(500000000) +
                  u32(77) /*sequence*/ + std::string(1, 0) + std::string(1, 3) + u16(0x4000 | 100) /*sampling 1:100*/;
  p += u32(0x0A000001) + u32(0xC0000209) + u32(0) + u16(3) + u16(4) + u32(5) + u32(600) + u32(90000) + u32(99000);
  p += u16(40000) + u16(22) + std::string(1, 0) + std::string(1, 0x12) + std::string(1, 6) + std::string(1, 0) +
       u16(64500) + u16(64501) + std::string(1, 24) + std::string(1, 16) + u16(0);
  return p;
}

TEST(netflow_v5, decodes_every_field_of_a_record) {
  std::vector<core::event> out;
  auto n = decode_v5(one_record_packet(), "198.51.100.1", 42, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  ASSERT_EQ(out.size(), 1u);
  const auto& ev = out[0];
  EXPECT_EQ(ev.text("kind"), "flow");
  EXPECT_EQ(ev.text("exporter"), "198.51.100.1");
  EXPECT_EQ(ev.text("src_ip"), "10.0.0.1");
  EXPECT_EQ(ev.text("dst_ip"), "192.0.2.9");
  EXPECT_EQ(ev.find("src_port")->number, 40000);
  EXPECT_EQ(ev.find("dst_port")->number, 22);
  EXPECT_EQ(ev.find("proto")->number, 6);
  EXPECT_EQ(ev.find("tcp_flags")->number, 0x12);
  // Sampled 1 in 100: counters scaled, raw ones kept.
  EXPECT_EQ(ev.find("packets")->number, 500);
  EXPECT_EQ(ev.find("bytes")->number, 60000);
  EXPECT_EQ(ev.find("packets_raw")->number, 5);
  EXPECT_EQ(ev.find("bytes_raw")->number, 600);
  EXPECT_EQ(ev.find("in_if")->number, 3);
  EXPECT_EQ(ev.find("src_as")->number, 64500);
  EXPECT_EQ(ev.find("sampling_rate")->number, 100);
  EXPECT_EQ(ev.find("sequence")->number, 77);
  EXPECT_EQ(ev.find("observation_domain")->number, 3);  // engine type 0, engine id 3
  // Export at 1772445601.5 s with uptime 100 s: first=90 s and last=99 s of uptime.
  EXPECT_EQ(ev.text("start"), "2026-03-02T09:59:51.500000Z");
  EXPECT_EQ(ev.text("end"), "2026-03-02T10:00:00.500000Z");
}

TEST(netflow_v5, bad_packets_are_refused_whole) {
  std::vector<core::event> out;
  EXPECT_FALSE(decode_v5("", "x", 0, out).ok());
  EXPECT_FALSE(decode_v5(one_record_packet().substr(0, 50), "x", 0, out).ok());
  EXPECT_FALSE(decode_v5(one_record_packet(2), "x", 0, out).ok());  // count says 2, one is there
  EXPECT_FALSE(decode_v5(one_record_packet(0), "x", 0, out).ok());
  std::string v9 = one_record_packet();
  v9[1] = 9;
  EXPECT_FALSE(decode_v5(v9, "x", 0, out).ok());
  EXPECT_TRUE(out.empty());
  for (std::size_t cut = 0; cut < one_record_packet().size(); ++cut) (void)decode_v5(one_record_packet().substr(0, cut), "x", 0, out);
}

// tshark's decoding of a real router's capture (shared corpus) is the oracle, field by field.
TEST(netflow_v5, agrees_with_tshark_on_a_real_capture) {
  const std::filesystem::path corpus = TALAIA_SOURCE_DIR "/../shared/corpus/netflow";
  if (!std::filesystem::exists(corpus / "akvorado_nfv5.pcap")) GTEST_SKIP() << "shared corpus not present";
  std::ifstream in(corpus / "akvorado_nfv5.pcap", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto datagrams = capture::read_pcap_udp(bytes.str());
  ASSERT_TRUE(datagrams.ok()) << datagrams.err().message;
  std::vector<core::event> events;
  for (const auto& d : *datagrams) ASSERT_TRUE(decode_v5(d.payload, d.src_ip, 0, events).ok());
  std::ifstream oracle(corpus / "akvorado_nfv5.oracle.jsonl");
  std::size_t i = 0;
  for (std::string line; std::getline(oracle, line); ++i) {
    ASSERT_LT(i, events.size());
    auto o = boost::json::parse(line).as_object();
    const auto& f = o.at("fields").as_object();
    const auto& ev = events[i];
    auto s = [&](const char* k) { return std::string(f.at(k).as_string()); };
    EXPECT_EQ(ev.text("exporter"), std::string(o.at("exporter").as_string()));
    EXPECT_EQ(ev.text("src_ip"), s("cflow.srcaddr")) << i;
    EXPECT_EQ(ev.text("dst_ip"), s("cflow.dstaddr")) << i;
    EXPECT_EQ(ev.text("next_hop"), s("cflow.nexthop")) << i;
    EXPECT_EQ(ev.text("in_if"), s("cflow.inputint")) << i;
    EXPECT_EQ(ev.text("out_if"), s("cflow.outputint")) << i;
    EXPECT_EQ(ev.text("packets"), s("cflow.packets")) << i;
    EXPECT_EQ(ev.text("bytes"), s("cflow.octets")) << i;
    EXPECT_EQ(ev.text("src_port"), s("cflow.srcport")) << i;
    EXPECT_EQ(ev.text("dst_port"), s("cflow.dstport")) << i;
    EXPECT_EQ(ev.text("proto"), s("cflow.protocol")) << i;
    EXPECT_EQ(ev.find("tcp_flags")->number, std::stoi(s("cflow.tcpflags"), nullptr, 16)) << i;
    EXPECT_EQ(ev.text("src_as"), s("cflow.srcas")) << i;
    EXPECT_EQ(ev.text("dst_as"), s("cflow.dstas")) << i;
    EXPECT_EQ(ev.text("src_mask"), s("cflow.srcmask")) << i;
    EXPECT_EQ(ev.text("dst_mask"), s("cflow.dstmask")) << i;
    const double duration = std::stod(s("cflow.timeend")) - std::stod(s("cflow.timestart"));
    EXPECT_EQ(ev.find("end")->number - ev.find("start")->number, static_cast<std::int64_t>(duration * 1e6)) << i;
  }
  EXPECT_EQ(i, events.size());
  EXPECT_EQ(i, 29u);
}

}  // namespace
}  // namespace talaia::collectors::netflow
