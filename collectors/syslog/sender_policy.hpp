#pragma once
// Who may send and how much: allowed networks, per-source settings and a per-source rate limit.
// Pure (time is passed in); one per listener, used on the listener's io thread only.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "core/result.hpp"

namespace talaia::collectors::syslog {

// "10.0.0.0/8", "2001:db8::/32" or a single address. IPv4 networks also match IPv4-mapped IPv6.
class ip_network {
 public:
  static core::result<ip_network> parse(std::string_view text);
  bool contains(const boost::asio::ip::address& a) const;

 private:
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 as IPv4-mapped IPv6
  int prefix_ = 128;
};

// Token bucket per sender address: `rate` messages per second, `burst` at once. take() spends
// one token and may run into debt (TCP then pauses reading for wait_micros()); allow() spends
// one only when there is one (UDP drops otherwise). rate 0 means no limit.
class rate_limiter {
 public:
  rate_limiter(double rate, double burst) : rate_(rate), burst_(burst > 0 ? burst : rate) {}
  bool enabled() const { return rate_ > 0; }
  bool allow(const std::string& source, std::int64_t now_micros);
  void take(const std::string& source, std::int64_t now_micros);
  // How long the source must wait until its debt is paid (0 when it has tokens).
  std::int64_t wait_micros(const std::string& source, std::int64_t now_micros);

 private:
  struct bucket {
    double tokens = 0;
    std::int64_t at = 0;
  };
  bucket& refill(const std::string& source, std::int64_t now_micros);
  double rate_;
  double burst_;
  std::unordered_map<std::string, bucket> buckets_;
};

// The `drops` column of /proc/net/udp (or udp6) for the socket with inode `inode`.
std::optional<std::uint64_t> udp_socket_drops(std::string_view proc_net_udp, std::uint64_t inode);

}  // namespace talaia::collectors::syslog
