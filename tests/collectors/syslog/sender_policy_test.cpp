// Allowed networks, per-source rate limits and the kernel drop count of a UDP socket.
#include "collectors/syslog/sender_policy.hpp"

#include <gtest/gtest.h>

namespace talaia::collectors::syslog {
namespace {

boost::asio::ip::address addr(const char* text) { return boost::asio::ip::make_address(text); }

TEST(syslog_ip_network, v4_v6_and_mapped) {
  auto n = ip_network::parse("10.0.0.0/8");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->contains(addr("10.1.2.3")));
  EXPECT_TRUE(n->contains(addr("::ffff:10.1.2.3")));
  EXPECT_FALSE(n->contains(addr("11.0.0.1")));
  auto one = ip_network::parse("192.0.2.7");
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->contains(addr("192.0.2.7")));
  EXPECT_FALSE(one->contains(addr("192.0.2.8")));
  auto v6 = ip_network::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(addr("2001:db8:1::5")));
  EXPECT_FALSE(v6->contains(addr("2001:db9::5")));
  auto any = ip_network::parse("0.0.0.0/0");
  ASSERT_TRUE(any);
  EXPECT_TRUE(any->contains(addr("203.0.113.9")));
  EXPECT_FALSE(ip_network::parse("10.0.0.1/8"));   // host bits set
  EXPECT_FALSE(ip_network::parse("10.0.0.0/33"));
  EXPECT_FALSE(ip_network::parse("not-an-address"));
}

TEST(syslog_rate_limiter, udp_allows_the_burst_then_the_rate) {
  rate_limiter limit(10, 5);
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += limit.allow("a", 0);
  EXPECT_EQ(allowed, 5);
  EXPECT_TRUE(limit.allow("b", 0));  // per source
  EXPECT_TRUE(limit.allow("a", 100'000));  // one token after 0.1 s
  EXPECT_FALSE(limit.allow("a", 100'000));
}

TEST(syslog_rate_limiter, tcp_pauses_for_its_debt) {
  rate_limiter limit(100, 10);
  for (int i = 0; i < 30; ++i) limit.take("a", 0);
  EXPECT_NEAR(static_cast<double>(limit.wait_micros("a", 0)), 200'000.0, 10.0);  // 20 over at 100/s
  EXPECT_EQ(limit.wait_micros("a", 300'000), 0);
  rate_limiter none(0, 0);
  EXPECT_TRUE(none.allow("a", 0));
  EXPECT_EQ(none.wait_micros("a", 0), 0);
}

TEST(syslog_udp_socket_drops, reads_the_drops_column_of_its_socket) {
  const std::string proc =
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
      "  138: 0100007F:157A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17\n"
      "  139: 0100007F:157B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 3\n";
  EXPECT_EQ(udp_socket_drops(proc, 4242), 17u);
  EXPECT_EQ(udp_socket_drops(proc, 99), 3u);
  EXPECT_EQ(udp_socket_drops(proc, 7), std::nullopt);
  EXPECT_EQ(udp_socket_drops("garbage", 7), std::nullopt);
}

}  // namespace
}  // namespace talaia::collectors::syslog
