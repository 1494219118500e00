// The syslog keys of the config file (core/config.cpp's syslog section): values, defaults and
// errors with file:line.
#include <gtest/gtest.h>

#include "core/config.hpp"

namespace talaia::collectors::syslog {
namespace {

TEST(syslog_config, every_key) {
  auto c = core::parse_config(R"(
syslog:
  listen: 127.0.0.1:5514
  max_message: 8192
  udp_receive_buffer: 33554432
  max_connections: 50
  idle_timeout: 90s
  read_budget: 16384
  rate_limit: 1000
  rate_burst: 5000
  allowed_networks: [10.0.0.0/8, 192.0.2.0/24]
  year: 2016
  sources:
    - network: 10.1.0.0/16
      time_zone: Europe/Madrid
    - network: 192.0.2.7
      key_value: true
  tls:
    listen: 127.0.0.1:6514
    certificate: /etc/talaia/syslog.pem
    private_key: /etc/talaia/syslog.key
    client_ca: /etc/talaia/ca.pem
)", "t.yaml");
  ASSERT_TRUE(c) << c.err().message;
  const auto& o = c->syslog_options;
  EXPECT_EQ(c->syslog_max_message, 8192u);
  EXPECT_EQ(o.udp_receive_buffer, 33554432u);
  EXPECT_EQ(o.max_connections, 50u);
  EXPECT_EQ(o.idle_timeout, std::chrono::seconds(90));
  EXPECT_EQ(o.read_budget, 16384u);
  EXPECT_EQ(o.rate_limit, 1000.0);
  EXPECT_EQ(o.rate_burst, 5000u);
  EXPECT_EQ(o.allowed_networks, (std::vector<std::string>{"10.0.0.0/8", "192.0.2.0/24"}));
  EXPECT_EQ(o.year, 2016);
  ASSERT_EQ(o.sources.size(), 2u);
  EXPECT_EQ(o.sources[0].network, "10.1.0.0/16");
  EXPECT_EQ(o.sources[0].time_zone, "Europe/Madrid");
  EXPECT_FALSE(o.sources[0].key_value);
  EXPECT_TRUE(o.sources[1].key_value);
  EXPECT_EQ(o.sources[1].line, 16);
  ASSERT_EQ(o.tls_listen.size(), 1u);
  EXPECT_EQ(o.tls_listen[0].port, 6514);
  EXPECT_EQ(o.tls_client_ca, "/etc/talaia/ca.pem");
}

TEST(syslog_config, defaults) {
  auto c = core::parse_config("syslog:\n  listen: 127.0.0.1:5514\n", "t.yaml");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->syslog_options.udp_receive_buffer, 8u << 20);
  EXPECT_EQ(c->syslog_options.idle_timeout, std::chrono::minutes(10));
  EXPECT_EQ(c->syslog_options.rate_limit, 0.0);
  EXPECT_TRUE(c->syslog_options.tls_listen.empty());
}

TEST(syslog_config, errors_name_file_and_line) {
  auto c = core::parse_config(R"(
syslog:
  rate_limit: lots
  sources:
    - time_zone: UTC
  tls:
    listen: 127.0.0.1:6514
    ciphers: all
)", "t.yaml");
  ASSERT_FALSE(c);
  const std::string& m = c.err().message;
  EXPECT_NE(m.find("t.yaml:3:"), std::string::npos) << m;
  EXPECT_NE(m.find("needs a network"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'ciphers'"), std::string::npos) << m;
  EXPECT_NE(m.find("needs syslog.tls.certificate"), std::string::npos) << m;
}

}  // namespace
}  // namespace talaia::collectors::syslog
