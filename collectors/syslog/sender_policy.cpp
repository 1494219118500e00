#include "collectors/syslog/sender_policy.hpp"

#include <algorithm>
#include <charconv>

namespace talaia::collectors::syslog {

core::result<ip_network> ip_network::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string address_text(text.substr(0, slash));
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(address_text, ec);
  if (ec) return core::make_error("\"" + std::string(text) + "\" is not an address or network");
  ip_network n;
  int max_prefix = 128;
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    n.bytes_[10] = n.bytes_[11] = 0xff;
    std::copy(b.begin(), b.end(), n.bytes_.begin() + 12);
    max_prefix = 32;
  } else {
    n.bytes_ = address.to_v6().to_bytes();
  }
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (err != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > max_prefix)
      return core::make_error("\"" + std::string(text) + "\" has an invalid prefix length");
  }
  n.prefix_ = prefix + (address.is_v4() ? 96 : 0);
  // Host bits must be zero, so that "10.0.0.1/8" is not silently read as 10.0.0.0/8.
  for (int bit = n.prefix_; bit < 128; ++bit)
    if (n.bytes_[static_cast<std::size_t>(bit / 8)] & (0x80 >> (bit % 8)))
      return core::make_error("\"" + std::string(text) + "\" has host bits set");
  return n;
}

bool ip_network::contains(const boost::asio::ip::address& a) const {
  std::array<std::uint8_t, 16> b{};
  if (a.is_v4()) {
    const auto v4 = a.to_v4().to_bytes();
    b[10] = b[11] = 0xff;
    std::copy(v4.begin(), v4.end(), b.begin() + 12);
  } else {
    b = a.to_v6().to_bytes();
  }
  const int full = prefix_ / 8;
  if (!std::equal(b.begin(), b.begin() + full, bytes_.begin())) return false;
  const int rest = prefix_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (b[static_cast<std::size_t>(full)] & mask) == (bytes_[static_cast<std::size_t>(full)] & mask);
}

rate_limiter::bucket& rate_limiter::refill(const std::string& source, std::int64_t now) {
  if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under address churn
  auto [it, fresh] = buckets_.try_emplace(source);
  bucket& b = it->second;
  if (fresh) {
    b.tokens = burst_;
  } else if (now > b.at) {
    b.tokens = std::min(burst_, b.tokens + rate_ * static_cast<double>(now - b.at) / 1e6);
  }
  b.at = std::max(b.at, now);
  return b;
}

bool rate_limiter::allow(const std::string& source, std::int64_t now) {
  if (!enabled()) return true;
  bucket& b = refill(source, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void rate_limiter::take(const std::string& source, std::int64_t now) {
  if (enabled()) refill(source, now).tokens -= 1;
}

std::int64_t rate_limiter::wait_micros(const std::string& source, std::int64_t now) {
  if (!enabled()) return 0;
  const bucket& b = refill(source, now);
  return b.tokens >= 0 ? 0 : static_cast<std::int64_t>(-b.tokens / rate_ * 1e6) + 1;
}

std::optional<std::uint64_t> udp_socket_drops(std::string_view text, std::uint64_t inode) {
  // "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops"
  std::size_t pos = text.find('\n');  // skip the heading
  while (pos != std::string_view::npos && pos + 1 < text.size()) {
    const std::size_t start = pos + 1;
    pos = text.find('\n', start);
    const std::string_view line = text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    std::string_view columns[13];
    std::size_t n = 0;
    for (std::size_t i = 0; i < line.size() && n < 13;) {
      while (i < line.size() && line[i] == ' ') ++i;
      const std::size_t end = std::min(line.find(' ', i), line.size());
      if (end > i) columns[n++] = line.substr(i, end - i);
      i = end;
    }
    if (n < 13) continue;
    std::uint64_t node = 0, drops = 0;
    if (std::from_chars(columns[9].data(), columns[9].data() + columns[9].size(), node).ec != std::errc() || node != inode)
      continue;
    if (std::from_chars(columns[12].data(), columns[12].data() + columns[12].size(), drops).ec != std::errc()) return std::nullopt;
    return drops;
  }
  return std::nullopt;
}

}  // namespace talaia::collectors::syslog
