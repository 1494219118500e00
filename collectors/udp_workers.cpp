#include "collectors/udp_workers.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <boost/asio.hpp>

namespace talaia::collectors {

namespace asio = boost::asio;
using udp = asio::ip::udp;

core::result<void> open_udp(udp::socket& s, const udp::endpoint& at, std::size_t receive_buffer, bool reuse_port) {
  const std::string where = at.address().to_string() + ":" + std::to_string(at.port());
  boost::system::error_code ec;
  s.open(at.protocol(), ec);
  if (ec) return core::make_error("cannot open a udp socket for " + where + ": " + ec.message());
  s.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(receive_buffer)), ec);
  ec.clear();  // a smaller buffer than asked for is not fatal (the kernel caps it at rmem_max)
  if (reuse_port) {
    const int one = 1;
    if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      return core::make_error("cannot set SO_REUSEPORT on udp " + where + ": " + std::strerror(errno));
  }
  s.bind(at, ec);
  if (ec) return core::make_error("cannot listen on udp " + where + ": " + ec.message());
  return {};
}

worker_threads::worker_threads(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
}

worker_threads::~worker_threads() { join(); }

void worker_threads::start() {
  for (auto& io : ios_) threads_.emplace_back([&io] { io->run(); });
}

void worker_threads::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace talaia::collectors
