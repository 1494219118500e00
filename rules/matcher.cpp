#include "rules/matcher.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace talaia::rules {
namespace {

// inet_pton needs a NUL-terminated string: copy into a stack buffer (no allocation).
bool parse_address(std::string_view text, std::array<std::uint8_t, 16>& addr, bool& v6) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  addr.fill(0);
  if (inet_pton(AF_INET, buf, addr.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, addr.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

bool prefix_equal(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                  unsigned prefix) {
  unsigned full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

bool same(std::string_view a, std::string_view b, bool cased) {
  if (a.size() != b.size()) return false;
  if (cased) return a == b;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(static_cast<unsigned char>(a[i])) != lower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

}  // namespace

bool parse_network(std::string_view text, ip_network& out) {
  std::size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  ip_network net;
  if (!parse_address(address, net.addr, net.v6)) return false;
  unsigned max = net.v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty() || prefix > max) return false;
  }
  // Host bits set after the prefix: pySigma refuses such a network.
  std::array<std::uint8_t, 16> masked{};
  unsigned full = prefix / 8;
  std::memcpy(masked.data(), net.addr.data(), full);
  if (prefix % 8 != 0) masked[full] = net.addr[full] & static_cast<std::uint8_t>(0xff << (8 - prefix % 8));
  if (masked != net.addr) return false;
  net.prefix = static_cast<std::uint8_t>(prefix);
  out = net;
  return true;
}

ip_address parse_ip(std::string_view address_text) {
  ip_address a;
  a.valid = parse_address(address_text, a.addr, a.v6);
  return a;
}

bool in_network(std::string_view address_text, const ip_network& net) {
  return in_network(parse_ip(address_text), net);
}

bool in_network(const ip_address& address, const ip_network& net) {
  if (!address.valid) return false;
  std::array<std::uint8_t, 16> addr = address.addr;
  bool v6 = address.v6;
  if (v6 && !net.v6) {  // an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address
    static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(addr.data(), mapped, 12) != 0) return false;
    std::memmove(addr.data(), addr.data() + 12, 4);
    std::memset(addr.data() + 4, 0, 12);
    v6 = false;
  }
  return v6 == net.v6 && prefix_equal(addr, net.addr, net.prefix);
}

bool parse_number(std::string_view text, double& out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;  // from_chars takes '-' but not '+'
  const char* digits = begin != end && *begin == '-' ? begin + 1 : begin;
  // Decimal only: from_chars would also take "inf" and "nan".
  if (digits == end || !((*digits >= '0' && *digits <= '9') || *digits == '.')) return false;
  auto [ptr, ec] = std::from_chars(begin, end, out, std::chars_format::general);  // 12, 1.5, 1e3
  return ec == std::errc() && ptr == end;
}

bool compare_holds(std::string_view text, compare_op op, double value) {
  double n = 0;
  if (!parse_number(text, n)) return false;
  return compare_holds(n, op, value);
}

bool compare_holds(double n, compare_op op, double value) {
  switch (op) {
    case compare_op::lt: return n < value;
    case compare_op::lte: return n <= value;
    case compare_op::gt: return n > value;
    case compare_op::gte: return n >= value;
  }
  return false;
}

bool fieldref_holds(std::string_view text, std::string_view other, match_kind how, bool cased) {
  if (other.size() > text.size()) return false;
  switch (how) {
    case match_kind::equals: return same(text, other, cased);
    case match_kind::startswith: return same(text.substr(0, other.size()), other, cased);
    case match_kind::endswith: return same(text.substr(text.size() - other.size()), other, cased);
    case match_kind::contains:
      for (std::size_t i = 0; i + other.size() <= text.size(); ++i)
        if (same(text.substr(i, other.size()), other, cased)) return true;
      return false;
  }
  return false;
}

}  // namespace talaia::rules
