#include "tests/support/webhook_receiver.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace talaia::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct webhook_receiver::impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
};

webhook_receiver::webhook_receiver() : impl_(std::make_unique<impl>()) {
  thread_ = std::thread([this] {
    // One connection at a time is enough for tests.
    while (true) {
      beast::error_code ec;
      tcp::socket socket(impl_->io);
      impl_->acceptor.accept(socket, ec);
      if (ec) return;
      beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) break;
        ++attempts_;
        const int status = status_;
        if (status >= 200 && status < 300) {
          std::lock_guard lock(mu_);
          bodies_.push_back(req.body());
        }
        http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
        if (status != 204) res.body() = "{}";
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        http::write(socket, res, ec);
        if (ec || !req.keep_alive()) break;
      }
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  });
}

webhook_receiver::~webhook_receiver() {
  beast::error_code ec;
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->acceptor.close(ec);
  if (thread_.joinable()) thread_.join();
}

std::uint16_t webhook_receiver::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string webhook_receiver::url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }

std::vector<std::string> webhook_receiver::bodies() const {
  std::lock_guard lock(mu_);
  return bodies_;
}

}  // namespace talaia::testing
