// NetFlow v9 and IPFIX decoding with its template cache, on packets built field by field from
// RFC 3954 and RFC 7011.
#include "collectors/netflow/decoder.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "collectors/capture/pcap.hpp"
#include "collectors/netflow/fields.hpp"
#include "core/json.hpp"

namespace talaia::collectors::netflow {
namespace {

std::string u8(unsigned v) { return std::string(1, static_cast<char>(v & 0xFF)); }
std::string u16(unsigned v) { return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)}; }
std::string u32(unsigned v) { return u16(v >> 16) + u16(v & 0xFFFF); }
std::string u64(unsigned long long v) { return u32(static_cast<unsigned>(v >> 32)) + u32(static_cast<unsigned>(v)); }

constexpr unsigned export_secs = 1772445600;  // 2026-03-02T10:00:00Z
constexpr std::int64_t received = 1772445601000000;

std::string set(unsigned id, const std::string& body) { return u16(id) + u16(static_cast<unsigned>(body.size() + 4)) + body; }

std::string v9_packet(const std::string& sets, unsigned sequence = 1, unsigned source_id = 7, unsigned uptime_ms = 100000) {
  return u16(9) + u16(1) + u32(uptime_ms) + u32(export_secs) + u32(sequence) + u32(source_id) + sets;
}

std::string ipfix_packet(const std::string& sets, unsigned sequence = 0, unsigned domain = 3) {
  const std::string body = sets;
  return u16(10) + u16(static_cast<unsigned>(16 + body.size())) + u32(export_secs) + u32(sequence) + u32(domain) + body;
}

// Template 256: src ip, dst ip, src port, dst port, proto, bytes, packets, first, last (uptime).
std::string v9_template_256() {
  return set(0, u16(256) + u16(9) + u16(8) + u16(4) + u16(12) + u16(4) + u16(7) + u16(2) + u16(11) + u16(2) + u16(4) +
                    u16(1) + u16(1) + u16(4) + u16(2) + u16(4) + u16(22) + u16(4) + u16(21) + u16(4));
}
std::string v9_record(unsigned src_last_octet, unsigned bytes) {
  return u32(0x0A000000 | src_last_octet) + u32(0xC0000209) + u16(40000) + u16(443) + u8(6) + u32(bytes) + u32(3) +
         u32(90000) + u32(99000);
}
std::string v9_data_256(int records) {
  std::string body;
  for (int i = 0; i < records; ++i) body += v9_record(static_cast<unsigned>(i + 1), 1000u * static_cast<unsigned>(i + 1));
  return set(256, body);
}

TEST(netflow_v9, template_then_data_gives_one_event_per_record) {
  decoder d;
  std::vector<core::event> out;
  auto n = d.decode(v9_packet(v9_template_256() + v9_data_256(2)), "192.0.2.1", 2055, received, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  ASSERT_EQ(*n, 2u);
  ASSERT_EQ(out.size(), 2u);
  const auto& ev = out[1];
  EXPECT_EQ(ev.text("kind"), "flow");
  EXPECT_EQ(ev.text("exporter"), "192.0.2.1");
  EXPECT_EQ(ev.find("flow_version")->number, 9);
  EXPECT_EQ(ev.find("observation_domain")->number, 7);
  EXPECT_EQ(ev.text("src_ip"), "10.0.0.2");
  EXPECT_EQ(ev.text("dst_ip"), "192.0.2.9");
  EXPECT_EQ(ev.find("src_port")->number, 40000);
  EXPECT_EQ(ev.find("dst_port")->number, 443);
  EXPECT_EQ(ev.find("proto")->number, 6);
  EXPECT_EQ(ev.find("bytes")->number, 2000);
  EXPECT_EQ(ev.find("packets")->number, 3);
  EXPECT_FALSE(ev.has("sampling_rate"));
  // Export at 10:00:00 with uptime 100 s: first at 90 s and last at 99 s of uptime.
  EXPECT_EQ(ev.text("start"), "2026-03-02T09:59:50Z");
  EXPECT_EQ(ev.text("end"), "2026-03-02T09:59:59Z");
  EXPECT_EQ(d.template_count(), 1u);
}

TEST(netflow_v9, data_before_its_template_is_held_then_decoded) {
  decoder d;
  std::vector<core::event> out;
  auto n = d.decode(v9_packet(v9_data_256(3), 1), "192.0.2.1", 2055, received, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(d.stats().held_sets, 1u);
  n = d.decode(v9_packet(v9_template_256(), 2), "192.0.2.1", 2055, received + 1000, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 3u);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].text("src_ip"), "10.0.0.3");
  EXPECT_EQ(d.stats().held_decoded, 1u);
  // The held records keep their own packet's receive time.
  EXPECT_EQ(out[0].find("received")->number, received);
}

TEST(netflow_v9, held_data_is_bounded_and_counted) {
  decoder_limits limits;
  limits.max_held_sets = 2;
  decoder d(limits);
  std::vector<core::event> out;
  for (unsigned i = 0; i < 5; ++i) (void)d.decode(v9_packet(v9_data_256(1), i), "192.0.2.1", 2055, received, out);
  EXPECT_EQ(d.stats().held_sets, 2u);
  EXPECT_EQ(d.stats().held_dropped, 3u);
  (void)d.decode(v9_packet(v9_template_256(), 6), "192.0.2.1", 2055, received, out);
  EXPECT_EQ(out.size(), 2u);
}

TEST(netflow_v9, templates_are_keyed_by_exporter_port_and_source_id) {
  decoder d;
  std::vector<core::event> out;
  ASSERT_TRUE(d.decode(v9_packet(v9_template_256(), 1, 7), "192.0.2.1", 2055, received, out).ok());
  // Another source id, another port, another address: none of them has template 256.
  (void)d.decode(v9_packet(v9_data_256(1), 1, 8), "192.0.2.1", 2055, received, out);
  (void)d.decode(v9_packet(v9_data_256(1), 1, 7), "192.0.2.1", 2056, received, out);
  (void)d.decode(v9_packet(v9_data_256(1), 1, 7), "192.0.2.2", 2055, received, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.stats().held_sets, 3u);
  // The IPv4-mapped form of the same address is the same exporter.
  ASSERT_TRUE(d.decode(v9_packet(v9_data_256(1), 2, 7), "::ffff:192.0.2.1", 2055, received, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text("exporter"), "192.0.2.1");
  EXPECT_EQ(out[0].text("peer"), "::ffff:192.0.2.1");
}

TEST(netflow_v9, a_count_field_that_lies_and_trailing_padding_change_nothing) {
  decoder d;
  std::vector<core::event> out;
  std::string p = v9_packet(v9_template_256() + v9_data_256(2));
  p[3] = 99;                      // header count says 99 records
  p += std::string(3, '\0');      // padding after the last flowset
  auto n = d.decode(p, "192.0.2.1", 2055, received, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  EXPECT_EQ(*n, 2u);
  // Padding inside a data flowset (shorter than a record) is not a record.
  std::string data = v9_data_256(1);
  data = set(256, data.substr(4) + std::string(3, '\0'));
  n = d.decode(v9_packet(data, 2), "192.0.2.1", 2055, received, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
}

TEST(netflow_v9, options_data_sets_the_sampling_rate_and_is_not_an_event) {
  decoder d;
  std::vector<core::event> out;
  // Options template 257: scope system (4 bytes); sampler id (48, 1 byte), interval (34, 4 bytes).
  const std::string options_template = set(1, u16(257) + u16(4) + u16(8) + u16(1) + u16(4) + u16(48) + u16(1) + u16(34) + u16(4) + u16(0));
  const std::string options_data = set(257, u32(0) + u8(5) + u32(100) + std::string(3, '\0'));
  // Template 258 carries the sampler id with each record.
  const std::string tmpl = set(0, u16(258) + u16(3) + u16(8) + u16(4) + u16(1) + u16(4) + u16(48) + u16(1));
  const std::string data = set(258, u32(0x0A000001) + u32(1500) + u8(5));
  auto n = d.decode(v9_packet(options_template + options_data + tmpl + data), "192.0.2.1", 2055, received, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(d.stats().options_records, 1u);
  EXPECT_EQ(out[0].find("sampling_rate")->number, 100);
  EXPECT_EQ(out[0].find("bytes")->number, 150000);
  EXPECT_EQ(out[0].find("bytes_raw")->number, 1500);
  // A record of another sampler id is not scaled by sampler 5's rate.
  out.clear();
  (void)d.decode(v9_packet(set(258, u32(0x0A000001) + u32(1500) + u8(6)), 2), "192.0.2.1", 2055, received, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].has("sampling_rate"));
  EXPECT_EQ(out[0].find("bytes")->number, 1500);
}

TEST(netflow_v9, interface_names_from_options_data_name_the_interfaces_of_flows) {
  decoder d;
  std::vector<core::event> out;
  // Options template 259: scope interface (v9 scope type 2, 4 bytes); interfaceName (82, 16 bytes).
  const std::string options_template = set(1, u16(259) + u16(4) + u16(4) + u16(2) + u16(4) + u16(82) + u16(16));
  std::string name = "Gi0/0/1";
  name.resize(16, '\0');
  const std::string options_data = set(259, u32(3) + name);
  const std::string tmpl = set(0, u16(261) + u16(3) + u16(8) + u16(4) + u16(10) + u16(2) + u16(14) + u16(2));
  const std::string data = set(261, u32(0x0A000001) + u16(3) + u16(4));
  ASSERT_TRUE(d.decode(v9_packet(options_template + options_data + tmpl + data), "192.0.2.1", 2055, received, out).ok());
  ASSERT_EQ(out.size(), 1u);  // the options record is no event
  EXPECT_EQ(out[0].text("in_if_name"), "Gi0/0/1");
  EXPECT_FALSE(out[0].has("out_if_name"));  // interface 4 was never named
}

TEST(netflow_v9, asa_nsel_and_nat_fields_are_named) {
  decoder d;
  std::vector<core::event> out;
  const std::string tmpl = set(0, u16(260) + u16(7) + u16(8) + u16(4) + u16(225) + u16(4) + u16(227) + u16(2) + u16(231) + u16(8) +
                                      u16(232) + u16(8) + u16(233) + u16(1) + u16(40005) + u16(1));
  const std::string data = set(260, u32(0x0A000001) + u32(0xCB007101) + u16(61000) + u64(5000000000ULL) + u64(42) + u8(2) + u8(2));
  ASSERT_TRUE(d.decode(v9_packet(tmpl + data), "192.0.2.1", 2055, received, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text("nat_src_ip"), "203.0.113.1");
  EXPECT_EQ(out[0].find("nat_src_port")->number, 61000);
  EXPECT_EQ(out[0].find("initiator_bytes")->number, 5000000000LL);  // a 64-bit counter
  EXPECT_EQ(out[0].find("responder_bytes")->number, 42);
  EXPECT_EQ(out[0].find("firewall_event")->number, 2);
}

TEST(netflow_v9, sequence_gaps_count_missing_packets) {
  decoder d;
  std::vector<core::event> out;
  (void)d.decode(v9_packet(v9_template_256(), 10), "192.0.2.1", 2055, received, out);
  (void)d.decode(v9_packet(v9_data_256(1), 11), "192.0.2.1", 2055, received, out);
  (void)d.decode(v9_packet(v9_data_256(1), 15), "192.0.2.1", 2055, received, out);  // 12, 13, 14 lost
  (void)d.decode(v9_packet(v9_data_256(1), 16), "192.0.2.1", 2055, received, out);
  EXPECT_EQ(d.stats().sequence_gaps, 1u);
  EXPECT_EQ(d.stats().sequence_lost, 3u);
  // Another source id has its own sequence.
  (void)d.decode(v9_packet(v9_data_256(1), 500, 8), "192.0.2.1", 2055, received, out);
  EXPECT_EQ(d.stats().sequence_gaps, 1u);
  // Going back (exporter restart) is a reset, not loss.
  (void)d.decode(v9_packet(v9_data_256(1), 1), "192.0.2.1", 2055, received, out);
  EXPECT_EQ(d.stats().sequence_resets, 1u);
  EXPECT_EQ(d.stats().sequence_lost, 3u);
}

TEST(netflow_v9, a_template_flood_is_bounded_per_exporter) {
  decoder_limits limits;
  limits.max_templates_per_exporter = 16;
  decoder d(limits);
  std::vector<core::event> out;
  for (unsigned id = 256; id < 1256; ++id)
    (void)d.decode(v9_packet(set(0, u16(id) + u16(1) + u16(8) + u16(4)), id), "192.0.2.1", 2055, received, out);
  EXPECT_EQ(d.template_count(), 16u);
  EXPECT_EQ(d.stats().template_limit, 1000u - 16u);
  // Other exporters are not affected.
  ASSERT_TRUE(d.decode(v9_packet(v9_template_256() + v9_data_256(1)), "192.0.2.2", 2055, received, out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(netflow_v9, the_exporter_table_is_bounded) {
  decoder_limits limits;
  limits.max_exporters = 4;
  decoder d(limits);
  std::vector<core::event> out;
  for (unsigned i = 0; i < 10; ++i)
    (void)d.decode(v9_packet(v9_template_256()), "192.0.2." + std::to_string(i), 2055, received, out);
  EXPECT_EQ(d.template_count(), 4u);
  EXPECT_EQ(d.stats().exporter_limit, 6u);
}

TEST(netflow_v9, unused_templates_expire) {
  decoder_limits limits;
  limits.template_lifetime_micros = 60000000;
  decoder d(limits);
  std::vector<core::event> out;
  (void)d.decode(v9_packet(v9_template_256()), "192.0.2.1", 2055, received, out);
  (void)d.decode(v9_packet(v9_data_256(1), 2), "192.0.2.1", 2055, received + 30000000, out);
  EXPECT_EQ(out.size(), 1u);
  (void)d.decode(v9_packet(v9_data_256(1), 3), "192.0.2.1", 2055, received + 120000000, out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(d.stats().templates_expired, 1u);
}

// An exporter sends its templates again and again: one sent unchanged keeps the template alive,
// and one sent changed under the same id replaces it, for decode and decode_json alike.
TEST(netflow_v9, a_template_sent_again_is_renewed_and_one_changed_replaces_it) {
  decoder_limits limits;
  limits.template_lifetime_micros = 60000000;
  for (bool json : {false, true}) {
    decoder d(limits);
    std::vector<core::event> out;
    core::text_batch lines;
    const auto decode = [&](const std::string& packet, std::int64_t at) {
      return json ? d.decode_json(packet, "192.0.2.1", 2055, at, lines) : d.decode(packet, "192.0.2.1", 2055, at, out);
    };
    ASSERT_TRUE(decode(v9_packet(v9_template_256()), received).ok());
    ASSERT_TRUE(decode(v9_packet(v9_template_256(), 2), received + 50000000).ok());  // renewed at 50 s
    ASSERT_EQ(*decode(v9_packet(v9_data_256(1), 3), received + 100000000), 1u);     // 100 s: alive
    EXPECT_EQ(d.stats().templates_expired, 0u);
    // Template 256 again, now only a source port and a protocol.
    ASSERT_TRUE(decode(v9_packet(set(0, u16(256) + u16(2) + u16(7) + u16(2) + u16(4) + u16(1)), 4), received + 101000000).ok());
    ASSERT_EQ(*decode(v9_packet(set(256, u16(5353) + u8(17)), 5), received + 102000000), 1u);
    EXPECT_EQ(d.template_count(), 1u);
    if (json) {
      ASSERT_EQ(lines.size(), 2u);
      EXPECT_NE(lines[0].find(R"("src_ip":"10.0.0.1")"), std::string::npos) << lines[0];
      EXPECT_NE(lines[1].find(R"("src_port":5353,"proto":17)"), std::string::npos) << lines[1];
      EXPECT_EQ(lines[1].find("src_ip"), std::string::npos) << lines[1];
    } else {
      ASSERT_EQ(out.size(), 2u);
      EXPECT_EQ(out[0].text("src_ip"), "10.0.0.1");
      EXPECT_EQ(out[1].find("src_port")->number, 5353);
      EXPECT_EQ(out[1].find("proto")->number, 17);
      EXPECT_FALSE(out[1].has("src_ip"));
    }
  }
}

TEST(netflow_v9, templates_survive_a_restart_through_save_and_load) {
  std::string saved;
  {
    decoder d;
    std::vector<core::event> out;
    (void)d.decode(v9_packet(v9_template_256()), "192.0.2.1", 2055, received, out);
    saved = d.save_templates();
  }
  decoder d;
  EXPECT_EQ(d.load_templates(saved + "garbage line\n1.2.3.4 1 9 0 12 0 8/4/0/0\n", received), 1u);
  std::vector<core::event> out;
  ASSERT_TRUE(d.decode(v9_packet(v9_data_256(2), 2), "192.0.2.1", 2055, received, out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].find("bytes")->number, 2000);
}

TEST(netflow_v9, malformed_packets_are_refused_without_crashing) {
  decoder d;
  std::vector<core::event> out;
  const std::string good = v9_packet(v9_template_256() + v9_data_256(2));
  // Every truncation and every single-byte corruption: never a crash, never an assert.
  for (std::size_t cut = 0; cut < good.size(); ++cut) (void)d.decode(good.substr(0, cut), "192.0.2.1", 2055, received, out);
  for (std::size_t i = 0; i < good.size(); ++i)
    for (unsigned v : {0x00u, 0x01u, 0x7Fu, 0x80u, 0xFFu}) {
      std::string p = good;
      p[i] = static_cast<char>(v);
      (void)d.decode(p, "192.0.2.9", 2055, received, out);
    }
  EXPECT_GT(d.stats().malformed, 0u);
  EXPECT_FALSE(d.decode(v9_packet(set(0, u16(300) + u16(50) + u16(8) + u16(4))), "192.0.2.1", 2055, received, out).ok());
}

// ---- IPFIX ----

// Template 300: src ip, dst ip, proto, octetDeltaCount (8), packetDeltaCount (8),
// flowStartMilliseconds, flowEndMilliseconds, interfaceName (variable), enterprise 9 field 12235
// (4 bytes), selectorId (302, 2 bytes).
std::string ipfix_template_300() {
  return set(2, u16(300) + u16(10) + u16(8) + u16(4) + u16(12) + u16(4) + u16(4) + u16(1) + u16(1) + u16(8) + u16(2) + u16(8) +
                    u16(152) + u16(8) + u16(153) + u16(8) + u16(82) + u16(0xFFFF) + u16(0x8000 | 12235) + u16(4) + u32(9) +
                    u16(302) + u16(2));
}
std::string ipfix_record(const std::string& if_name, unsigned selector) {
  std::string name = if_name.size() < 255 ? u8(static_cast<unsigned>(if_name.size())) + if_name
                                          : u8(255) + u16(static_cast<unsigned>(if_name.size())) + if_name;
  return u32(0x0A000001) + u32(0x0A000002) + u8(17) + u64(1200) + u64(4) + u64(1772445590000ULL) + u64(1772445599500ULL) + name +
         u32(0xDEADBEEF) + u16(selector);
}

TEST(ipfix, variable_length_and_enterprise_fields) {
  decoder d;
  std::vector<core::event> out;
  const std::string long_name(300, 'x');
  auto n = d.decode(ipfix_packet(ipfix_template_300() + set(300, ipfix_record("Gi0/0/1", 0) + ipfix_record(long_name, 0))),
                    "2001:db8::1", 4739, received, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].find("flow_version")->number, 10);
  EXPECT_EQ(out[0].find("observation_domain")->number, 3);
  EXPECT_EQ(out[0].text("exporter"), "2001:db8::1");
  EXPECT_EQ(out[0].text("if_name"), "Gi0/0/1");
  EXPECT_EQ(out[1].text("if_name"), long_name);
  EXPECT_EQ(out[0].text("ie.9.12235"), "3735928559");
  EXPECT_EQ(out[0].find("bytes")->number, 1200);
  EXPECT_EQ(out[0].text("start"), "2026-03-02T09:59:50Z");
  EXPECT_EQ(out[0].text("end"), "2026-03-02T09:59:59.500000Z");
}

TEST(ipfix, sampling_from_options_data_scales_counters_per_selector) {
  decoder d;
  std::vector<core::event> out;
  // Options template 400: scope selectorId (302), samplingSize (309), samplingPopulation (310).
  const std::string options_template = set(3, u16(400) + u16(3) + u16(1) + u16(302) + u16(2) + u16(309) + u16(4) + u16(310) + u16(4));
  const std::string options_data = set(400, u16(1) + u32(1) + u32(256));
  auto n = d.decode(ipfix_packet(options_template + options_data + ipfix_template_300() +
                                 set(300, ipfix_record("a", 1) + ipfix_record("b", 2))),
                    "192.0.2.1", 4739, received, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].find("sampling_rate")->number, 256);
  EXPECT_EQ(out[0].find("bytes")->number, 1200 * 256);
  EXPECT_EQ(out[0].find("packets")->number, 4 * 256);
  EXPECT_EQ(out[0].find("bytes_raw")->number, 1200);
  EXPECT_EQ(out[0].find("packets_raw")->number, 4);
  EXPECT_FALSE(out[1].has("sampling_rate"));  // selector 2 has no known rate
}

TEST(ipfix, template_withdrawal_forgets_the_template) {
  decoder d;
  std::vector<core::event> out;
  (void)d.decode(ipfix_packet(ipfix_template_300()), "192.0.2.1", 4739, received, out);
  EXPECT_EQ(d.template_count(), 1u);
  (void)d.decode(ipfix_packet(set(2, u16(300) + u16(0)), 0), "192.0.2.1", 4739, received, out);
  EXPECT_EQ(d.template_count(), 0u);
  EXPECT_EQ(d.stats().templates_withdrawn, 1u);
  (void)d.decode(ipfix_packet(set(300, ipfix_record("a", 0)), 0), "192.0.2.1", 4739, received, out);
  EXPECT_TRUE(out.empty());
  // Withdraw-all (template id 2) forgets every template of that exporter and domain.
  (void)d.decode(ipfix_packet(ipfix_template_300() + v9_template_256().replace(0, 2, u16(2))), "192.0.2.1", 4739, received, out);
  (void)d.decode(ipfix_packet(set(2, u16(2) + u16(0))), "192.0.2.1", 4739, received, out);
  EXPECT_EQ(d.template_count(), 0u);
}

TEST(ipfix, uptime_times_anchor_on_system_init_time_from_options) {
  decoder d;
  std::vector<core::event> out;
  const std::string options_template = set(3, u16(401) + u16(2) + u16(1) + u16(149) + u16(4) + u16(160) + u16(8));
  const std::string options_data = set(401, u32(3) + u64(1772440000000ULL));
  const std::string tmpl = set(2, u16(301) + u16(3) + u16(8) + u16(4) + u16(22) + u16(4) + u16(21) + u16(4));
  const std::string data = set(301, u32(0x0A000001) + u32(5000) + u32(6500));
  ASSERT_TRUE(d.decode(ipfix_packet(options_template + options_data + tmpl + data), "192.0.2.1", 4739, received, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].find("start")->number, 1772440005000000);
  EXPECT_EQ(out[0].find("end")->number, 1772440006500000);
  // Without the system init time there is nothing to anchor to: the raw uptimes are kept.
  decoder fresh;
  out.clear();
  ASSERT_TRUE(fresh.decode(ipfix_packet(tmpl + data), "192.0.2.1", 4739, received, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].has("start"));
  EXPECT_EQ(out[0].find("start_uptime_ms")->number, 5000);
}

TEST(ipfix, sequence_counts_data_records) {
  decoder d;
  std::vector<core::event> out;
  (void)d.decode(ipfix_packet(ipfix_template_300() + set(300, ipfix_record("a", 0) + ipfix_record("b", 0)), 100), "192.0.2.1", 4739, received, out);
  (void)d.decode(ipfix_packet(set(300, ipfix_record("a", 0)), 102), "192.0.2.1", 4739, received, out);
  EXPECT_EQ(d.stats().sequence_gaps, 0u);
  (void)d.decode(ipfix_packet(set(300, ipfix_record("a", 0)), 110), "192.0.2.1", 4739, received, out);
  EXPECT_EQ(d.stats().sequence_gaps, 1u);
  EXPECT_EQ(d.stats().sequence_lost, 7u);
}

TEST(ipfix, message_length_beyond_the_packet_is_refused) {
  decoder d;
  std::vector<core::event> out;
  std::string p = ipfix_packet(ipfix_template_300());
  p[3] = static_cast<char>(p[3] + 8);
  EXPECT_FALSE(d.decode(p, "192.0.2.1", 4739, received, out).ok());
  EXPECT_EQ(d.stats().malformed, 1u);
  // A record whose variable length overruns the set.
  std::string rec = ipfix_record("abc", 0);
  rec[8 + 1 + 8 + 8 + 8 + 8] = static_cast<char>(200);
  EXPECT_FALSE(d.decode(ipfix_packet(ipfix_template_300() + set(300, rec)), "192.0.2.1", 4739, received, out).ok());
  EXPECT_TRUE(out.empty());
}

// ---- sFlow v5 ----

std::string sflow_datagram(unsigned sequence) {
  // Sampled header: Ethernet + IPv4 + TCP 10.0.0.1:40000 -> 192.0.2.9:22, SYN.
  std::string frame = std::string(12, '\x02') + u16(0x0800) + u8(0x45) + u8(0) + u16(40) + u32(0) + u8(64) + u8(6) + u16(0) +
                      u32(0x0A000001) + u32(0xC0000209) + u16(40000) + u16(22) + u32(0) + u32(0) + u8(0x50) + u8(0x02) +
                      u16(0) + u32(0);
  const std::string raw_header = u32(1) + u32(1500) + u32(4) + u32(static_cast<unsigned>(frame.size())) + frame + std::string(2, '\0');
  const std::string flow_sample = u32(1) /*seq*/ + u32(7) /*source id*/ + u32(512) /*rate*/ + u32(0) + u32(0) + u32(3) /*in*/ +
                                  u32(4) /*out*/ + u32(1) + u32(1) + u32(static_cast<unsigned>(raw_header.size())) + raw_header;
  std::string counters = u32(5) /*if*/ + u32(6) + u64(1000000000) + u32(1) + u32(3) + u64(123456789) + u32(10) + u32(0) + u32(0) +
                         u32(1) + u32(2) + u32(0) + u64(987654321) + u32(20) + u32(0) + u32(0) + u32(3) + u32(4) + u32(0);
  const std::string counter_sample = u32(1) + u32(5) + u32(1) + u32(1) + u32(static_cast<unsigned>(counters.size())) + counters;
  return u32(5) + u32(1) + u32(0xC0000201) + u32(0) + u32(sequence) + u32(1000) + u32(2) + u32(1) +
         u32(static_cast<unsigned>(flow_sample.size())) + flow_sample + u32(2) + u32(static_cast<unsigned>(counter_sample.size())) +
         counter_sample;
}

TEST(netflow_sflow, flow_and_counter_samples) {
  decoder d;
  std::vector<core::event> out;
  auto n = d.decode(sflow_datagram(1), "192.0.2.1", 6343, received, out);
  ASSERT_TRUE(n.ok()) << n.err().message;
  ASSERT_EQ(out.size(), 2u);
  const auto& f = out[0];
  EXPECT_EQ(f.text("kind"), "flow");
  EXPECT_EQ(f.text("flow_type"), "sflow");
  EXPECT_EQ(f.text("exporter"), "192.0.2.1");
  EXPECT_EQ(f.text("src_ip"), "10.0.0.1");
  EXPECT_EQ(f.text("dst_ip"), "192.0.2.9");
  EXPECT_EQ(f.find("src_port")->number, 40000);
  EXPECT_EQ(f.find("dst_port")->number, 22);
  EXPECT_EQ(f.find("proto")->number, 6);
  EXPECT_EQ(f.find("tcp_flags")->number, 2);
  EXPECT_EQ(f.find("sampling_rate")->number, 512);
  EXPECT_EQ(f.find("bytes")->number, 1500 * 512);
  EXPECT_EQ(f.find("packets")->number, 512);
  EXPECT_EQ(f.find("bytes_raw")->number, 1500);
  EXPECT_EQ(f.find("in_if")->number, 3);
  EXPECT_EQ(f.find("observation_domain")->number, 7);
  const auto& c = out[1];
  EXPECT_EQ(c.text("kind"), "interface_counters");
  EXPECT_EQ(c.find("if_index")->number, 5);
  EXPECT_EQ(c.find("in_octets")->number, 123456789);
  EXPECT_EQ(c.find("out_octets")->number, 987654321);
  EXPECT_EQ(c.find("out_errors")->number, 4);
  // Datagram sequence per agent: 2 and 3 lost.
  (void)d.decode(sflow_datagram(4), "192.0.2.1", 6343, received, out);
  EXPECT_EQ(d.stats().sequence_lost, 2u);
}

TEST(netflow_sflow, truncated_datagrams_are_refused_without_crashing) {
  decoder d;
  std::vector<core::event> out;
  const std::string good = sflow_datagram(1);
  for (std::size_t cut = 0; cut < good.size(); ++cut) (void)d.decode(good.substr(0, cut), "192.0.2.1", 6343, received, out);
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string p = good;
    p[i] = static_cast<char>(0xFF);
    (void)d.decode(p, "192.0.2.1", 6343, received, out);
  }
  EXPECT_GT(d.stats().malformed, 0u);
  EXPECT_FALSE(d.decode(good.substr(0, good.size() - 1), "192.0.2.1", 6343, received, out).ok());
}

TEST(netflow_fields, addresses_are_normalised) {
  EXPECT_EQ(normalise_address("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(normalise_address("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(normalise_address("192.0.2.1"), "192.0.2.1");
}

// The table-driven IPv4 text against inet_ntop, and the big-endian reader against a byte loop,
// over every width and random bytes.
TEST(netflow_fields, address_texts_and_unsigned_values_read_as_the_references_do) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const std::uint32_t a = i < 256 ? static_cast<std::uint32_t>(i) * 0x01010101u : static_cast<std::uint32_t>(rng());
    const std::string bytes = u32(a);
    char expected[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, bytes.data(), expected, sizeof expected), nullptr);
    ASSERT_EQ(ipv4_text(bytes), expected);
    std::string wide;
    for (int k = 0; k < 8; ++k) wide += static_cast<char>(rng() & 0xFF);
    for (std::size_t n = 0; n <= 8; ++n) {
      std::uint64_t v = 0;
      for (std::size_t k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(wide[k]);
      ASSERT_EQ(read_unsigned(std::string_view(wide).substr(0, n)), v) << n;
    }
  }
  EXPECT_EQ(ipv4_text(u32(0xFFFFFFFF)), "255.255.255.255");
  EXPECT_EQ(ipv4_text(u32(0x0A00000A)), "10.0.0.10");
}

TEST(netflow_decoder, versions_other_than_5_9_10_are_counted_unsupported) {
  decoder d;
  std::vector<core::event> out;
  EXPECT_FALSE(d.decode(u16(7) + std::string(30, '\0'), "192.0.2.1", 2055, received, out).ok());
  EXPECT_FALSE(d.decode("", "192.0.2.1", 2055, received, out).ok());
  EXPECT_EQ(d.stats().unsupported_version, 2u);
}

// The corpus's exports by softflowd (v5, v9, IPFIX) and pmacctd (IPFIX) were captured on
// loopback without loss: sequence tracking must report no gap, including softflowd 1.1.0's IPFIX
// numbering (one message ahead), which tshark and nfcapd report as false gaps.
TEST(netflow_decoder, real_exports_without_loss_show_no_sequence_gap) {
  const std::filesystem::path corpus = TALAIA_SOURCE_DIR "/../shared/corpus/netflow";
  if (!std::filesystem::exists(corpus)) GTEST_SKIP() << "shared corpus not present";
  for (const char* name : {"export_softflowd_v5.pcapng", "export_softflowd_v9.pcapng", "export_softflowd_v10.pcapng",
                           "export_pmacctd_ipfix.pcapng"}) {
    std::ifstream in(corpus / name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto datagrams = capture::read_pcap_udp(bytes.str());
    ASSERT_TRUE(datagrams.ok()) << name << ": " << datagrams.err().message;
    decoder d;
    std::vector<core::event> out;
    for (const auto& g : *datagrams) ASSERT_TRUE(d.decode(g.payload, g.src_ip, g.src_port, g.time_micros, out).ok()) << name;
    EXPECT_EQ(d.stats().sequence_gaps, 0u) << name;
    EXPECT_EQ(d.stats().sequence_resets, 0u) << name;
    EXPECT_EQ(out.size(), std::string(name).find("v5") != std::string::npos ? 150u : 170u) << name;
  }
}

// Events handed back with recycle() are reused for the next records: the same packet decodes to
// the same events, field for field, whether its events are fresh or recycled ones that held
// other records (with more fields, and longer texts) before.
TEST(netflow_decoder, recycled_events_decode_as_fresh_ones) {
  decoder fresh_decoder, recycling;
  std::vector<core::event> fresh, reused;
  const std::int64_t received = 1'700'000'000'000'000;
  (void)fresh_decoder.decode(v9_packet(v9_template_256(), 1), "192.0.2.1", 2055, received, fresh);
  (void)recycling.decode(v9_packet(v9_template_256(), 1), "192.0.2.1", 2055, received, reused);
  for (std::uint32_t seq = 2; seq < 6; ++seq) {
    fresh.clear();
    for (auto& ev : reused) {  // what a listener adds before it is done with them
      ev.set_string("id", "node-1-18b2c3d4e5f60-" + std::to_string(seq));
      ev.set_string("extra", std::string(100, 'x'));
    }
    recycling.recycle(reused);
    EXPECT_TRUE(reused.empty());
    const std::string packet = v9_packet(v9_data_256(seq), seq);
    ASSERT_TRUE(fresh_decoder.decode(packet, "192.0.2.1", 2055, received + seq, fresh).ok());
    ASSERT_TRUE(recycling.decode(packet, "192.0.2.1", 2055, received + seq, reused).ok());
    ASSERT_EQ(fresh.size(), reused.size());
    for (std::size_t i = 0; i < fresh.size(); ++i) EXPECT_EQ(core::encode_event(fresh[i]), core::encode_event(reused[i]));
  }
}


// Event ids for decode_json and, beside them, the same ids from a twin: what each record's JSON
// must end with (as the listener used to append them). The node id needs escaping.
struct ids_beside : event_ids {
  event_ids twin{"node \"7\"", 99};
  ids_beside() : event_ids("node \"7\"", 99) {}
  std::string with_id(std::string_view record) {
    std::string json(record);
    core::append_string_member(json, "id", twin.next());
    return json;
  }
};

// decode_json writes v9 and IPFIX flow records straight to JSON; it must give, byte for byte, the
// JSON of the events decode() gives. Random templates over the elements the decoder treats
// specially (addresses, times, uptimes, sampling, interfaces, texts, MACs, unknown and enterprise
// elements, names given twice), with natural, odd and variable lengths, random record bytes, and
// options data setting sampling rates, interface names and the system init time.
TEST(netflow_decoder, json_form_is_the_json_of_the_events) {
  std::mt19937 rng(20261127);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  struct element_choice {
    unsigned id, length;
  };
  const element_choice palette[] = {{1, 4},  {2, 4},  {85, 8},  {86, 8},   {4, 1},   {6, 1},   {7, 2},   {11, 2},  {8, 4},
                                    {12, 4}, {15, 4}, {27, 16}, {28, 16},  {62, 16}, {10, 2},  {14, 4},  {21, 4},  {22, 4},
                                    {150, 4}, {152, 8}, {153, 8}, {154, 8}, {156, 8}, {34, 4},  {48, 1},  {302, 2}, {305, 4},
                                    {306, 4}, {309, 4}, {310, 4}, {56, 6},  {80, 6},  {82, 16}, {96, 8},  {210, 3}, {999, 5},
                                    {16, 4},  {17, 4},  {231, 8}, {233, 1}, {225, 4}, {61, 1}};
  const std::string exporters[] = {"192.0.2.1", "::ffff:198.51.100.7", "2001:db8::1"};
  const auto random_bytes = [&](std::size_t n) {
    static const char interesting[] = {'"', '\\', '\n', '\x01', '\x7f', '\xff', '\xc3', '\xa9', '\0', 'a', '/'};
    std::string b;
    for (std::size_t i = 0; i < n; ++i)
      b += pick(3) == 0 ? interesting[pick(sizeof interesting)] : static_cast<char>(rng() & 0xFF);
    return b;
  };
  decoder as_events, as_json, with_ids;
  ids_beside ids;
  std::size_t compared = 0;
  for (unsigned round = 0; round < 400; ++round) {
    const bool ipfix = round % 2 == 1;
    const unsigned domain = static_cast<unsigned>(pick(2));
    const std::string& exporter = exporters[pick(3)];
    std::string sets;
    // Sometimes options data: a sampling rate (per selector or for all), an interface name, the
    // system init time (IPFIX uptimes need it).
    if (pick(3) == 0) {
      const unsigned rate = static_cast<unsigned>(1 + pick(3) * 99);
      if (ipfix) {
        sets += set(3, u16(400) + u16(5) + u16(1) + u16(10) + u16(4) + u16(302) + u16(2) + u16(34) + u16(4) + u16(82) +
                           u16(0xFFFF) + u16(160) + u16(8));
        const std::string name = random_bytes(1 + pick(12));
        sets += set(400, u32(static_cast<unsigned>(pick(4))) + u16(static_cast<unsigned>(pick(3))) + u32(rate) +
                             u8(static_cast<unsigned>(name.size())) + name + u64(1772440000000ULL + pick(1000)));
      } else {
        sets += set(1, u16(257) + u16(4) + u16(8) + u16(2) + u16(4) + u16(48) + u16(1) + u16(34) + u16(4) + u16(0));
        sets += set(257, u32(static_cast<unsigned>(pick(4))) + u8(static_cast<unsigned>(pick(3))) + u32(rate) + std::string(3, '\0'));
      }
    }
    // A new template 256 + round % 4, and a data set of it.
    const unsigned template_id = 256 + round % 4;
    std::vector<unsigned> lengths;
    std::string spec;
    const std::size_t fields = 1 + pick(14);
    for (std::size_t i = 0; i < fields; ++i) {
      element_choice e = palette[pick(std::size(palette))];
      const std::size_t odd = pick(8);
      if (odd == 0) e.length = static_cast<unsigned>(1 + pick(9));  // a length the element does not usually have
      else if (odd == 1 && ipfix) e.length = 0xFFFF;                // variable length
      if (ipfix && pick(10) == 0) spec += u16(0x8000 | e.id) + u16(e.length) + u32(9);  // an enterprise element
      else spec += u16(e.id) + u16(e.length);
      lengths.push_back(e.length);
    }
    sets += set(ipfix ? 2 : 0, u16(template_id) + u16(static_cast<unsigned>(fields)) + spec);
    std::string records;
    for (std::size_t r = 0, n = 1 + pick(4); r < n; ++r)
      for (unsigned length : lengths) {
        if (length != 0xFFFF) {
          records += random_bytes(length);
          continue;
        }
        const std::string v = random_bytes(pick(300));
        records += v.size() < 255 ? u8(static_cast<unsigned>(v.size())) + v : u8(255) + u16(static_cast<unsigned>(v.size())) + v;
      }
    sets += set(template_id, records);
    const std::string packet = ipfix ? ipfix_packet(sets, round, domain) : v9_packet(sets, round, domain);
    std::vector<core::event> events;
    core::text_batch json, json_with_ids;
    const auto a = as_events.decode(packet, exporter, 2055, received + round, events);
    const auto b = as_json.decode_json(packet, exporter, 2055, received + round, json);
    const auto c = with_ids.decode_json(packet, exporter, 2055, received + round, json_with_ids, &ids);
    ASSERT_EQ(a.ok(), b.ok()) << "round " << round;
    ASSERT_EQ(a.ok(), c.ok()) << "round " << round;
    ASSERT_EQ(events.size(), json.size()) << "round " << round;
    ASSERT_EQ(events.size(), json_with_ids.size()) << "round " << round;
    for (std::size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(json[i], core::encode_event(events[i])) << "round " << round;
      ASSERT_EQ(json_with_ids[i], ids.with_id(json[i])) << "round " << round;
    }
    compared += json.size();
  }
  EXPECT_GT(compared, 400u);
  EXPECT_EQ(as_events.stats().flow_records, as_json.stats().flow_records);
}

// The same on every capture of the shared corpus (real exporters: v5, v9, IPFIX, sFlow).
TEST(netflow_decoder, json_form_of_the_corpus_captures_is_the_json_of_their_events) {
  const std::filesystem::path corpus = TALAIA_SOURCE_DIR "/../shared/corpus/netflow";
  if (!std::filesystem::exists(corpus)) GTEST_SKIP() << "shared corpus not present";
  std::size_t compared = 0;
  for (const auto& file : std::filesystem::directory_iterator(corpus)) {
    const std::string ext = file.path().extension().string();
    if (ext != ".pcap" && ext != ".pcapng") continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto datagrams = capture::read_pcap_udp(bytes.str());
    ASSERT_TRUE(datagrams.ok()) << file.path() << ": " << datagrams.err().message;
    decoder as_events, as_json, with_ids;
    ids_beside ids;
    for (const auto& g : *datagrams) {
      std::vector<core::event> events;
      core::text_batch json, json_with_ids;
      (void)as_events.decode(g.payload, g.src_ip, g.src_port, g.time_micros, events);
      (void)as_json.decode_json(g.payload, g.src_ip, g.src_port, g.time_micros, json);
      (void)with_ids.decode_json(g.payload, g.src_ip, g.src_port, g.time_micros, json_with_ids, &ids);
      ASSERT_EQ(events.size(), json.size()) << file.path();
      ASSERT_EQ(events.size(), json_with_ids.size()) << file.path();
      for (std::size_t i = 0; i < events.size(); ++i) {
        ASSERT_EQ(json[i], core::encode_event(events[i])) << file.path();
        ASSERT_EQ(json_with_ids[i], ids.with_id(json[i])) << file.path();
      }
      compared += json.size();
    }
  }
  EXPECT_GT(compared, 700u);
}

}  // namespace
}  // namespace talaia::collectors::netflow
