// The netflow keys of the config file (core/config.cpp's netflow section): values, defaults,
// errors with file:line, and the decoder limits they set honoured and counted by the decoder.
#include <gtest/gtest.h>

#include "collectors/netflow/decoder.hpp"
#include "core/config.hpp"

namespace talaia::collectors::netflow {
namespace {

std::string u16(unsigned v) { return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)}; }
std::string u32(unsigned v) { return u16(v >> 16) + u16(v & 0xFFFF); }
std::string set(unsigned id, const std::string& body) { return u16(id) + u16(static_cast<unsigned>(body.size() + 4)) + body; }
std::string v9_packet(const std::string& sets, unsigned sequence) {
  return u16(9) + u16(1) + u32(100000) + u32(1772445600) + u32(sequence) + u32(7) + sets;
}
// A v9 template `id` of one field (src ip), and a data set of it.
std::string v9_template(unsigned id) { return set(0, u16(id) + u16(1) + u16(8) + u16(4)); }
std::string v9_data(unsigned id) { return set(id, u32(0x0A000001)); }
constexpr std::int64_t t0 = 1772445601000000;

TEST(netflow_config, every_key) {
  auto c = core::parse_config(R"(
netflow:
  listen: [127.0.0.1:2055, 127.0.0.1:6343]
  workers: 4
  udp_receive_buffer: 16777216
  max_exporters: 100
  max_templates_per_exporter: 8
  max_held_sets: 50
  max_held_bytes: 65536
  template_lifetime: 30m
  held_lifetime: 10s
)", "t.yaml");
  ASSERT_TRUE(c) << c.err().message;
  const auto& o = c->netflow_options;
  ASSERT_EQ(c->netflow_listen.size(), 2u);
  EXPECT_EQ(o.workers, 4u);
  EXPECT_EQ(o.udp_receive_buffer, 16777216u);
  const decoder_limits l = limits_of(o);
  EXPECT_EQ(l.max_exporters, 100u);
  EXPECT_EQ(l.max_templates_per_exporter, 8u);
  EXPECT_EQ(l.max_held_sets, 50u);
  EXPECT_EQ(l.max_held_bytes, 65536u);
  EXPECT_EQ(l.template_lifetime_micros, 30LL * 60 * 1000000);
  EXPECT_EQ(l.held_lifetime_micros, 10LL * 1000000);
}

TEST(netflow_config, defaults_are_the_decoders) {
  auto c = core::parse_config("netflow:\n  listen: 127.0.0.1:2055\n", "t.yaml");
  ASSERT_TRUE(c) << c.err().message;
  EXPECT_EQ(c->netflow_options.workers, 1u);
  const decoder_limits l = limits_of(c->netflow_options), d;
  EXPECT_EQ(l.max_exporters, d.max_exporters);
  EXPECT_EQ(l.max_templates_per_exporter, d.max_templates_per_exporter);
  EXPECT_EQ(l.max_held_sets, d.max_held_sets);
  EXPECT_EQ(l.max_held_bytes, d.max_held_bytes);
  EXPECT_EQ(l.template_lifetime_micros, d.template_lifetime_micros);
  EXPECT_EQ(l.held_lifetime_micros, d.held_lifetime_micros);
}

TEST(netflow_config, errors_name_file_and_line) {
  auto c = core::parse_config(R"(
netflow:
  listen: 127.0.0.1:2055
  workers: 0
  max_templates: 5
  template_lifetime: forever
)", "t.yaml");
  ASSERT_FALSE(c);
  const std::string& m = c.err().message;
  EXPECT_NE(m.find("t.yaml:4: netflow.workers must be a whole number from 1"), std::string::npos) << m;
  EXPECT_NE(m.find("t.yaml:5: unknown key 'max_templates' in netflow"), std::string::npos) << m;
  EXPECT_NE(m.find("t.yaml:6: netflow.template_lifetime"), std::string::npos) << m;
}

// Each limit set in the config is honoured by the decoder and counted when hit.
TEST(netflow_config, limits_from_the_config_are_honoured_and_counted) {
  auto c = core::parse_config(R"(
netflow:
  max_exporters: 2
  max_templates_per_exporter: 3
  max_held_sets: 1
  template_lifetime: 1m
)", "t.yaml");
  ASSERT_TRUE(c) << c.err().message;
  decoder d(limits_of(c->netflow_options));
  std::vector<core::event> out;
  unsigned seq = 1;
  // Templates per exporter: 5 sent, 3 kept, 2 refused.
  for (unsigned id = 256; id < 261; ++id) (void)d.decode(v9_packet(v9_template(id), seq++), "192.0.2.1", 2055, t0, out);
  EXPECT_EQ(d.template_count(), 3u);
  EXPECT_EQ(d.stats().template_limit, 2u);
  // Exporters: a second is taken, a third refused.
  (void)d.decode(v9_packet(v9_template(256), 1), "192.0.2.2", 2055, t0, out);
  EXPECT_TRUE(!d.decode(v9_packet(v9_template(256), 1), "192.0.2.3", 2055, t0, out).ok());
  EXPECT_EQ(d.stats().exporter_limit, 1u);
  // Held data: one set waits for template 300, the next is dropped.
  (void)d.decode(v9_packet(v9_data(300), seq++), "192.0.2.1", 2055, t0, out);
  (void)d.decode(v9_packet(v9_data(300), seq++), "192.0.2.1", 2055, t0, out);
  EXPECT_EQ(d.stats().held_sets, 1u);
  EXPECT_EQ(d.stats().held_dropped, 1u);
  // Template lifetime: data for template 256 two minutes after it was last used finds none.
  out.clear();
  (void)d.decode(v9_packet(v9_data(256), seq++), "192.0.2.1", 2055, t0 + 1000000, out);
  EXPECT_EQ(out.size(), 1u);
  (void)d.decode(v9_packet(v9_data(256), seq++), "192.0.2.1", 2055, t0 + 121000000, out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_GE(d.stats().templates_expired, 1u);
}

}  // namespace
}  // namespace talaia::collectors::netflow
