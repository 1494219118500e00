#include "collectors/netflow/listener.hpp"

#include <boost/asio.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collectors/netflow/decoder.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace talaia::collectors::netflow {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr std::int64_t save_interval_micros = 10 * 1000000;

// The decoder's counters as metrics: each one a counter the listener advances by the change.
struct decoder_counters {
  core::counter &records, &options, &templates, &withdrawn, &expired, &held, &held_dropped, &exporter_limit,
      &template_limit, &malformed, &unsupported, &gaps, &lost, &resets;

  explicit decoder_counters(core::metrics_registry& m)
      : records(m.make_counter("talaia_events_received_total", "transport=\"udp\",format=\"netflow\"", "Messages received")),
        options(m.make_counter("talaia_flow_options_records_total", "", "Options data records applied (sampling, system init time)")),
        templates(m.make_counter("talaia_flow_templates_total", "", "Template records received")),
        withdrawn(m.make_counter("talaia_flow_templates_withdrawn_total", "", "Templates withdrawn by their exporter")),
        expired(m.make_counter("talaia_flow_templates_expired_total", "", "Templates forgotten after their lifetime unused")),
        held(m.make_counter("talaia_flow_held_sets_total", "", "Data sets held until their template arrives")),
        held_dropped(m.make_counter("talaia_events_discarded_total", "reason=\"no_template\",transport=\"netflow\"", "Messages discarded")),
        exporter_limit(m.make_counter("talaia_events_discarded_total", "reason=\"exporter_limit\",transport=\"netflow\"", "Messages discarded")),
        template_limit(m.make_counter("talaia_flow_template_limit_total", "", "Templates refused: too many for one exporter")),
        malformed(m.make_counter("talaia_events_discarded_total", "reason=\"malformed\",transport=\"netflow\"", "Messages discarded")),
        unsupported(m.make_counter("talaia_events_discarded_total", "reason=\"unsupported_version\",transport=\"netflow\"", "Messages discarded")),
        gaps(m.make_counter("talaia_flow_sequence_gaps_total", "", "Export sequence number jumps (per exporter and domain)")),
        lost(m.make_counter("talaia_flow_sequence_lost_total", "", "Units missing by sequence number (flows v5, packets v9, records IPFIX)")),
        resets(m.make_counter("talaia_flow_sequence_resets_total", "", "Export sequence restarts")) {}

  void advance(const decoder_stats& now, decoder_stats& seen) {
    auto step = [](core::counter& c, std::uint64_t n, std::uint64_t& s) {
      if (n > s) c.add(n - s);
      s = n;
    };
    step(records, now.flow_records, seen.flow_records);
    step(options, now.options_records, seen.options_records);
    step(templates, now.templates, seen.templates);
    step(withdrawn, now.templates_withdrawn, seen.templates_withdrawn);
    step(expired, now.templates_expired, seen.templates_expired);
    step(held, now.held_sets, seen.held_sets);
    step(held_dropped, now.held_dropped, seen.held_dropped);
    step(exporter_limit, now.exporter_limit, seen.exporter_limit);
    step(template_limit, now.template_limit, seen.template_limit);
    step(malformed, now.malformed, seen.malformed);
    step(unsupported, now.unsupported_version, seen.unsupported_version);
    step(gaps, now.sequence_gaps, seen.sequence_gaps);
    step(lost, now.sequence_lost, seen.sequence_lost);
    step(resets, now.sequence_resets, seen.sequence_resets);
  }
};

}  // namespace

struct listener::impl : std::enable_shared_from_this<listener::impl> {
  asio::io_context& io;
  listener_settings settings;
  core::producer& out;
  event_ids& ids;
  udp::socket socket;
  std::vector<char> packet;
  udp::endpoint sender;
  std::vector<core::event> events;
  netflow::decoder decoder;
  decoder_stats seen;
  std::uint64_t saved_templates = 0;
  std::int64_t last_save = 0;
  core::counter& packets;
  core::counter& dropped;
  decoder_counters counters;
  std::atomic<bool> stopped{false};

  impl(asio::io_context& io_, listener_settings s, core::producer& o, event_ids& i, core::metrics_registry& m)
      : io(io_),
        settings(std::move(s)),
        out(o),
        ids(i),
        socket(io_),
        packet(65536),
        packets(m.make_counter("talaia_flow_packets_total", "", "Flow export packets received")),
        dropped(m.make_counter("talaia_events_discarded_total", "reason=\"bus_full\",transport=\"netflow\"", "Messages discarded")),
        counters(m) {}

  std::string template_file() const {
    if (settings.state_dir.empty()) return {};
    return (std::filesystem::path(settings.state_dir) / ("netflow-templates-" + std::to_string(settings.at.port) + ".txt")).string();
  }

  void load_templates() {
    const std::string file = template_file();
    if (file.empty()) return;
    std::ifstream in(file);
    if (!in) return;
    std::stringstream text;
    text << in.rdbuf();
    const std::size_t n = decoder.load_templates(text.str(), core::now_micros());
    saved_templates = decoder.stats().templates;
    core::log_info("netflow", "file=" + file + " templates=" + std::to_string(n) + " templates restored");
  }

  // Writes the templates when they changed (at most every 10 s unless `now`), atomically.
  void save_templates(bool now) {
    const std::string file = template_file();
    if (file.empty() || decoder.stats().templates == saved_templates) return;
    const std::int64_t t = core::now_micros();
    if (!now && t - last_save < save_interval_micros) return;
    last_save = t;
    saved_templates = decoder.stats().templates;
    std::error_code ec;
    std::filesystem::create_directories(settings.state_dir, ec);
    const std::string tmp = file + ".tmp";
    {
      std::ofstream o(tmp, std::ios::trunc);
      o << decoder.save_templates();
      if (!o) {
        core::log(core::log_level::warn, "netflow", "file=" + tmp + " cannot write the template file");
        return;
      }
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec) core::log(core::log_level::warn, "netflow", "file=" + file + " error=\"" + ec.message() + "\" cannot save templates");
  }

  void handle(std::string_view bytes) {
    packets.add();
    const std::string address = sender.address().to_string();
    events.clear();
    auto n = decoder.decode(bytes, address, sender.port(), core::now_micros(), events);
    counters.advance(decoder.stats(), seen);
    if (!n && core::log_enabled(core::log_level::debug)) core::log(core::log_level::debug, "netflow", "exporter=" + address + " error=\"" + n.err().message + "\"");
    for (auto& ev : events) {
      ev.set_string("id", ids.next());
      if (!out.try_send(settings.topic, std::string(ev.text("exporter")), core::encode_event(ev))) dropped.add();
    }
    save_templates(false);
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
  if (!ec) i->socket.set_option(udp::socket::receive_buffer_size(8 << 20), ec);
  ec.clear();  // a smaller buffer (rmem_max) is not a reason to refuse to start
  i->socket.bind(ep, ec);
  if (ec) return core::make_error("cannot listen for NetFlow on udp " + i->settings.at.text() + ": " + ec.message());
  if (i->settings.at.port == 0) i->settings.at.port = i->socket.local_endpoint(ec).port();
  i->load_templates();
  return std::unique_ptr<listener>(new listener(std::move(i)));
}

listener::~listener() { stop(); }

void listener::start() {
  impl_->receive();
  core::log_info("netflow", "address=" + impl_->settings.at.host + ":" + std::to_string(port()) + " listening on udp (NetFlow v5, v9, IPFIX)");
}

void listener::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [i = impl_] {
    i->save_templates(true);
    boost::system::error_code ec;
    i->socket.close(ec);
  });
}

std::uint16_t listener::port() const {
  boost::system::error_code ec;
  return impl_->socket.local_endpoint(ec).port();
}

}  // namespace talaia::collectors::netflow
