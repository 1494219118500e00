#include "collectors/syslog/listener.hpp"

#include <boost/asio.hpp>

#include "collectors/syslog/lf_framer.hpp"
#include "collectors/syslog/parser.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace talaia::collectors::syslog {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

struct listener::impl : std::enable_shared_from_this<listener::impl> {
  asio::io_context& io;
  listener_settings settings;
  core::producer& out;
  event_ids& ids;
  tcp::acceptor acceptor;
  udp::socket udp_socket;
  std::vector<char> datagram;
  udp::endpoint sender;
  core::counter& received_udp;
  core::counter& received_tcp;
  core::counter& dropped_udp;
  core::counter& parse_errors;
  core::counter& truncated;
  std::atomic<bool> stopped{false};

  impl(asio::io_context& io_, listener_settings s, core::producer& o, event_ids& i, core::metrics_registry& m)
      : io(io_),
        settings(std::move(s)),
        out(o),
        ids(i),
        acceptor(io_),
        udp_socket(io_),
        datagram(65536),
        received_udp(m.make_counter("talaia_events_received_total", "transport=\"udp\",format=\"syslog\"", "Messages received")),
        received_tcp(m.make_counter("talaia_events_received_total", "transport=\"tcp\",format=\"syslog\"", "Messages received")),
        dropped_udp(m.make_counter("talaia_events_discarded_total", "reason=\"bus_full\",transport=\"udp\"", "Messages discarded")),
        parse_errors(m.make_counter("talaia_parse_errors_total", "format=\"syslog\"", "Messages kept raw with a parse_error")),
        truncated(m.make_counter("talaia_events_truncated_total", "format=\"syslog\"", "Messages cut at the size limit")) {}

  // One message to one JSON event.
  std::string to_json(std::string_view line, const std::string& peer, bool was_truncated) {
    core::event ev;
    ev.set_string("id", ids.next());
    parse_context ctx;
    ctx.received_micros = core::now_micros();
    ctx.peer = peer;
    parse(line, ctx, ev);
    if (was_truncated) {
      truncated.add();
      std::string why = "truncated at " + std::to_string(settings.max_message) + " bytes";
      if (auto* e = ev.find("parse_error")) why = std::string(e->text) + "; " + why;
      ev.set_string("parse_error", why);
    }
    if (ev.has("parse_error")) parse_errors.add();
    return core::encode_event(ev);
  }

  void receive_udp() {
    udp_socket.async_receive_from(asio::buffer(datagram), sender, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        if (ec != asio::error::operation_aborted && !self->stopped) self->receive_udp();
        return;
      }
      std::string_view line(self->datagram.data(), n);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == '\0')) line.remove_suffix(1);
      bool cut = line.size() > self->settings.max_message;
      if (cut) line = line.substr(0, self->settings.max_message);
      self->received_udp.add();
      std::string peer = self->sender.address().to_string();
      if (!self->out.try_send(self->settings.topic, peer, self->to_json(line, peer, cut))) self->dropped_udp.add();
      self->receive_udp();
    });
  }

  struct tcp_session : std::enable_shared_from_this<tcp_session> {
    std::shared_ptr<impl> owner;
    tcp::socket socket;
    std::string peer;
    lf_framer framer;
    std::array<char, 65536> buffer{};
    tcp_session(std::shared_ptr<impl> o, tcp::socket s)
        : owner(std::move(o)), socket(std::move(s)), framer(owner->settings.max_message) {
      boost::system::error_code ec;
      auto ep = socket.remote_endpoint(ec);
      peer = ec ? std::string() : ep.address().to_string();
    }
    void deliver(std::string_view frame, bool cut) {
      owner->received_tcp.add();
      // Waits while the bus is full: the socket is not read meanwhile (backpressure).
      if (auto r = owner->out.send(owner->settings.topic, peer, owner->to_json(frame, peer, cut)); !r)
        core::log(core::log_level::debug, "syslog", "error=\"" + r.err().message + "\" message not queued");
    }
    void read() {
      socket.async_read_some(asio::buffer(buffer), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        if (n > 0) self->framer.feed(std::string_view(self->buffer.data(), n), [&](std::string_view f, bool cut) { self->deliver(f, cut); });
        if (ec) {
          self->framer.finish([&](std::string_view f, bool cut) { self->deliver(f, cut); });
          return;
        }
        if (!self->owner->stopped) self->read();
      });
    }
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted && !self->stopped) self->accept();
        return;
      }
      std::make_shared<tcp_session>(self, std::move(socket))->read();
      self->accept();
    });
  }
};

core::result<std::unique_ptr<listener>> listener::bind(asio::io_context& io, listener_settings s, core::producer& out,
                                                       event_ids& ids, core::metrics_registry& metrics) {
  auto i = std::make_shared<impl>(io, std::move(s), out, ids, metrics);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(i->settings.at.host, ec);
  if (ec) return core::make_error("syslog listen address " + i->settings.at.text() + ": " + ec.message());
  tcp::endpoint tep(address, i->settings.at.port);
  i->acceptor.open(tep.protocol(), ec);
  if (!ec) i->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i->acceptor.bind(tep, ec);
  if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::make_error("cannot listen for syslog on tcp " + i->settings.at.text() + ": " + ec.message());
  const auto port = i->acceptor.local_endpoint().port();
  udp::endpoint uep(address, port);
  i->udp_socket.open(uep.protocol(), ec);
  if (!ec) i->udp_socket.set_option(asio::socket_base::receive_buffer_size(8 << 20), ec);
  ec.clear();  // a smaller buffer than asked for is not fatal
  i->udp_socket.bind(uep, ec);
  if (ec) return core::make_error("cannot listen for syslog on udp " + i->settings.at.host + ":" + std::to_string(port) + ": " + ec.message());
  return std::unique_ptr<listener>(new listener(std::move(i)));
}

listener::~listener() { stop(); }

void listener::start() {
  impl_->accept();
  impl_->receive_udp();
  core::log_info("syslog", "address=" + impl_->settings.at.host + ":" + std::to_string(port()) + " listening on udp and tcp");
}

void listener::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [i = impl_] {
    boost::system::error_code ec;
    i->acceptor.close(ec);
    i->udp_socket.close(ec);
  });
}

std::uint16_t listener::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

}  // namespace talaia::collectors::syslog
