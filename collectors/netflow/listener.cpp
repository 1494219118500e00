#include "collectors/netflow/listener.hpp"

#include <boost/asio.hpp>

#include "collectors/netflow/v5.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace talaia::collectors::netflow {

namespace asio = boost::asio;
using udp = asio::ip::udp;

struct listener::impl : std::enable_shared_from_this<listener::impl> {
  asio::io_context& io;
  listener_settings settings;
  core::producer& out;
  event_ids& ids;
  udp::socket socket;
  std::vector<char> packet;
  udp::endpoint sender;
  std::vector<core::event> events;
  core::counter& packets;
  core::counter& records;
  core::counter& undecodable;
  core::counter& unsupported;
  core::counter& dropped;
  std::atomic<bool> stopped{false};

  impl(asio::io_context& io_, listener_settings s, core::producer& o, event_ids& i, core::metrics_registry& m)
      : io(io_),
        settings(std::move(s)),
        out(o),
        ids(i),
        socket(io_),
        packet(65536),
        packets(m.make_counter("talaia_flow_packets_total", "", "Flow export packets received")),
        records(m.make_counter("talaia_events_received_total", "transport=\"udp\",format=\"netflow\"", "Messages received")),
        undecodable(m.make_counter("talaia_events_discarded_total", "reason=\"malformed\",transport=\"netflow\"", "Messages discarded")),
        unsupported(m.make_counter("talaia_events_discarded_total", "reason=\"unsupported_version\",transport=\"netflow\"", "Messages discarded")),
        dropped(m.make_counter("talaia_events_discarded_total", "reason=\"bus_full\",transport=\"netflow\"", "Messages discarded")) {}

  void handle(std::string_view bytes) {
    packets.add();
    const std::string exporter = sender.address().to_string();
    if (packet_version(bytes) != 5) {
      unsupported.add();
      return;
    }
    events.clear();
    auto n = decode_v5(bytes, exporter, core::now_micros(), events);
    if (!n) {
      undecodable.add();
      core::log(core::log_level::debug, "netflow", "exporter=" + exporter + " error=\"" + n.err().message + "\"");
      return;
    }
    for (auto& ev : events) {
      records.add();
      ev.set_string("id", ids.next());
      if (!out.try_send(settings.topic, exporter, core::encode_event(ev))) dropped.add();
    }
  }

  void receive() {
    socket.async_receive_from(asio::buffer(packet), sender, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        if (ec != asio::error::operation_aborted && !self->stopped) self->receive();
        return;
      }
      self->handle(std::string_view(self->packet.data(), n));
      self->receive();
    });
  }
};

core::result<std::unique_ptr<listener>> listener::bind(asio::io_context& io, listener_settings s, core::producer& out,
                                                       event_ids& ids, core::metrics_registry& metrics) {
  auto i = std::make_shared<impl>(io, std::move(s), out, ids, metrics);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(i->settings.at.host, ec);
  if (ec) return core::make_error("netflow listen address " + i->settings.at.text() + ": " + ec.message());
  udp::endpoint ep(address, i->settings.at.port);
  i->socket.open(ep.protocol(), ec);
  if (!ec) i->socket.bind(ep, ec);
  if (ec) return core::make_error("cannot listen for NetFlow on udp " + i->settings.at.text() + ": " + ec.message());
  return std::unique_ptr<listener>(new listener(std::move(i)));
}

listener::~listener() { stop(); }

void listener::start() {
  impl_->receive();
  core::log_info("netflow", "address=" + impl_->settings.at.host + ":" + std::to_string(port()) + " listening on udp");
}

void listener::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [i = impl_] {
    boost::system::error_code ec;
    i->socket.close(ec);
  });
}

std::uint16_t listener::port() const {
  boost::system::error_code ec;
  return impl_->socket.local_endpoint(ec).port();
}

}  // namespace talaia::collectors::netflow
