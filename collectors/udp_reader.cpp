#include "collectors/udp_reader.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <iterator>

#include "core/clock.hpp"

namespace talaia::collectors {

namespace asio = boost::asio;

udp_reader::udp_reader(asio::ip::udp::socket& socket, datagram_queue& queue, local_counter& dropped)
    : socket_(socket), queue_(queue), dropped_(dropped), linger_timer_(socket.get_executor()), datagrams_(batch * 65536) {}

void udp_reader::start(std::shared_ptr<void> owner, std::function<bool()> stopped, std::function<bool()> parse_here) {
  stopped_ = std::move(stopped);
  parse_here_ = std::move(parse_here);
  asio::post(socket_.get_executor(), [this, owner = std::move(owner)]() mutable { wait(std::move(owner)); });
}

void udp_reader::wait(std::shared_ptr<void> owner) {
  socket_.async_wait(asio::ip::udp::socket::wait_read, [this, owner](boost::system::error_code ec) mutable {
    if (ec) {
      if (ec != asio::error::operation_aborted && !stopped_()) wait(std::move(owner));
      return;
    }
    turn(std::move(owner), false);
  });
}

void udp_reader::turn(std::shared_ptr<void> owner, bool lingered) {
  const std::size_t got = drain();
  if (got > 0 && !(parse_here_ && parse_here_())) queue_.notify();
  if (stopped_() || !socket_.is_open()) return;
  if (!pacing_.linger_after(got, lingered, 4 * batch)) {  // readiness decides
    wait(std::move(owner));
    return;
  }
  linger_timer_.expires_after(linger);
  linger_timer_.async_wait([this, owner](boost::system::error_code ec) mutable {
    if (ec || stopped_()) return;
    turn(std::move(owner), true);
  });
}

std::size_t udp_reader::drain() {
  std::size_t got = 0;
  for (int round = 0; round < 4; ++round) {
    for (std::size_t i = 0; i < batch; ++i) {
      vectors_[i] = {datagrams_.data() + i * 65536, 65536};
      headers_[i] = {};
      headers_[i].msg_hdr.msg_iov = &vectors_[i];
      headers_[i].msg_hdr.msg_iovlen = 1;
      headers_[i].msg_hdr.msg_name = &senders_[i];
      headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    }
    const int n = recvmmsg(socket_.native_handle(), headers_.data(), batch, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
    const std::int64_t now = core::now_micros();
    datagram_queue::locked queue(queue_);  // one lock for the call's datagrams
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const std::string_view bytes(datagrams_.data() + k * 65536, headers_[k].msg_len);
      if (!queue.push(bytes, address_of(senders_[k]), port_of(senders_[k]), now)) dropped_.add();
    }
    if (static_cast<std::size_t>(n) < batch) break;
  }
  return got;
}

std::uint16_t port_of(const sockaddr_storage& s) {
  return ntohs(s.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(s).sin_port
                                      : reinterpret_cast<const sockaddr_in6&>(s).sin6_port);
}

asio::ip::address address_of(const sockaddr_storage& s) {
  if (s.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(s);
    return asio::ip::address_v4(ntohl(a.sin_addr.s_addr));
  }
  const auto& a = reinterpret_cast<const sockaddr_in6&>(s);
  asio::ip::address_v6::bytes_type b;
  std::copy(std::begin(a.sin6_addr.s6_addr), std::end(a.sin6_addr.s6_addr), b.begin());
  return asio::ip::address_v6(b, a.sin6_scope_id);
}

}  // namespace talaia::collectors
