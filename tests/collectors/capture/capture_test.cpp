// Capture reading (classic pcap and pcapng) and recognising UDP payloads by their content.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectors/capture/payload_kind.hpp"
#include "collectors/capture/pcap.hpp"

namespace talaia::collectors::capture {
namespace {

std::string le16(unsigned v) { return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)}; }
std::string le32(unsigned v) { return le16(v & 0xFFFF) + le16(v >> 16); }
std::string be16(unsigned v) { return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)}; }
std::string be32(unsigned v) { return be16(v >> 16) + be16(v & 0xFFFF); }

// Ethernet + IPv4 + UDP 192.0.2.1:2055 -> 192.0.2.2:9995 carrying `payload`.
std::string udp_frame(const std::string& payload) {
  std::string f(12, '\x02');
  f += be16(0x0800);
  f += std::string("\x45\x00", 2) + be16(static_cast<unsigned>(28 + payload.size())) + be32(0) + "\x40\x11" + be16(0);
  f += std::string("\xC0\x00\x02\x01\xC0\x00\x02\x02", 8);
  f += be16(2055) + be16(9995) + be16(static_cast<unsigned>(8 + payload.size())) + be16(0) + payload;
  return f;
}

std::string padded(std::string s) {
  while (s.size() % 4) s += '\0';
  return s;
}

std::string block(unsigned type, const std::string& body) {
  const std::string b = padded(body);
  return le32(type) + le32(static_cast<unsigned>(b.size() + 12)) + b + le32(static_cast<unsigned>(b.size() + 12));
}

std::string section() { return block(0x0A0D0D0A, le32(0x1A2B3C4D) + le16(1) + le16(0) + le32(0xFFFFFFFF) + le32(0xFFFFFFFF)); }

// Interface: Ethernet, with if_tsresol 9 (nanoseconds).
std::string interface_ns() { return block(1, le16(1) + le16(0) + le32(65535) + le16(9) + le16(1) + padded("\x09") + le32(0)); }

std::string enhanced(unsigned interface, unsigned long long ticks, const std::string& frame) {
  return block(6, le32(interface) + le32(static_cast<unsigned>(ticks >> 32)) + le32(static_cast<unsigned>(ticks)) +
                      le32(static_cast<unsigned>(frame.size())) + le32(static_cast<unsigned>(frame.size())) + frame);
}

TEST(pcapng, reads_udp_datagrams_with_their_interfaces_time_resolution) {
  const std::string file = section() + interface_ns() + enhanced(0, 1772445600123456789ULL, udp_frame("hello")) +
                           block(5, "statistics, skipped") + enhanced(0, 1772445601000000000ULL, udp_frame("world"));
  auto d = read_pcap_udp(file);
  ASSERT_TRUE(d.ok()) << d.err().message;
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].payload, "hello");
  EXPECT_EQ((*d)[0].src_ip, "192.0.2.1");
  EXPECT_EQ((*d)[0].dst_ip, "192.0.2.2");
  EXPECT_EQ((*d)[0].src_port, 2055);
  EXPECT_EQ((*d)[0].dst_port, 9995);
  EXPECT_EQ((*d)[0].time_micros, 1772445600123456);
  EXPECT_EQ((*d)[1].payload, "world");
}

TEST(pcapng, packets_of_an_unknown_interface_are_skipped_and_truncation_is_an_error) {
  const std::string file = section() + interface_ns() + enhanced(3, 0, udp_frame("x")) + enhanced(0, 0, udp_frame("y"));
  auto d = read_pcap_udp(file);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].payload, "y");
  EXPECT_FALSE(read_pcap_udp(file.substr(0, file.size() - 6)).ok());
  for (std::size_t cut = 0; cut < file.size(); ++cut) (void)read_pcap_udp(file.substr(0, cut));  // never crashes
}

TEST(pcapng, agrees_with_tshark_on_the_corpus_capture) {
  const std::filesystem::path f = TALAIA_SOURCE_DIR "/../shared/corpus/netflow/export_softflowd_v9.pcapng";
  if (!std::filesystem::exists(f)) GTEST_SKIP() << "shared corpus not present";
  std::ifstream in(f, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto d = read_pcap_udp(bytes.str());
  ASSERT_TRUE(d.ok()) << d.err().message;
  // tshark -T fields -e frame.time_epoch -e udp.dstport: 6 datagrams to 9995, the first at
  // 1795751515.823370594.
  ASSERT_EQ(d->size(), 6u);
  EXPECT_EQ((*d)[0].time_micros, 1795751515823370);
  EXPECT_EQ((*d)[0].dst_port, 9995);
  EXPECT_EQ((*d)[0].src_ip, "127.0.0.1");
}

TEST(capture_payload_kind, recognises_each_format_by_content) {
  std::string v5 = be16(5) + be16(1) + std::string(20, '\0') + std::string(48, '\0');
  std::string v9 = be16(9) + be16(1) + std::string(16, '\0') + be16(0) + be16(8) + be16(256) + be16(0);
  std::string ipfix = be16(10) + be16(24) + std::string(12, '\0') + be16(2) + be16(8) + be16(256) + be16(0);
  std::string sflow = be32(5) + be32(1) + be32(0x7F000001) + be32(0) + be32(1) + be32(100) + be32(1) + std::string(40, '\0');
  EXPECT_EQ(recognise_payload(v5), payload_kind::netflow_v5);
  EXPECT_EQ(recognise_payload(v9), payload_kind::netflow_v9);
  EXPECT_EQ(recognise_payload(ipfix), payload_kind::ipfix);
  EXPECT_EQ(recognise_payload(sflow), payload_kind::sflow);
  EXPECT_EQ(recognise_payload("<34>Oct 11 22:14:15 mymachine su: 'su root' failed"), payload_kind::syslog);
  EXPECT_EQ(recognise_payload("plain text message without a priority"), payload_kind::syslog);
  EXPECT_EQ(recognise_payload(std::string("\x01\x02\x03\x04\x05\x06", 6)), payload_kind::unknown);
  // A header whose lengths do not fit is not taken for its version.
  EXPECT_EQ(recognise_payload(v5.substr(0, 60)), payload_kind::unknown);
  std::string bad_ipfix = ipfix;
  bad_ipfix[3] = 99;  // message length beyond the payload
  EXPECT_NE(recognise_payload(bad_ipfix), payload_kind::ipfix);
}

}  // namespace
}  // namespace talaia::collectors::capture
