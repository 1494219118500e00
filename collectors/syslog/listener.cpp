#include "collectors/syslog/listener.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>
#include <algorithm>

#include "collectors/syslog/parser.hpp"
#include "collectors/syslog/sender_policy.hpp"
#include "collectors/syslog/stream_framer.hpp"
#include "collectors/syslog/time_zone.hpp"
#include "collectors/datagram_queue.hpp"
#include "collectors/udp_reader.hpp"
#include "collectors/udp_workers.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace talaia::collectors::syslog {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

namespace {

// `syslog.sources` made ready: networks parsed, zones loaded.
struct source_rule {
  ip_network network;
  std::shared_ptr<const time_zone> zone;
  bool key_value = false;
};

// Some senders (loggen -D -P) put an RFC 6587 octet count in front of a datagram too: drop it
// when it matches the rest exactly.
std::string_view without_octet_count(std::string_view d) {
  std::size_t i = 0;
  std::size_t length = 0;
  while (i < d.size() && i < 9 && d[i] >= '0' && d[i] <= '9') length = length * 10 + static_cast<std::size_t>(d[i++] - '0');
  if (i == 0 || i + 1 >= d.size() || d[i] != ' ' || d[i + 1] != '<' || d.size() - i - 1 != length) return d;
  return d.substr(i + 1);
}

std::string read_text_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A UDP worker's counters: each has one thread that adds to it (dropped_kernel and
// dropped_queue the reading thread, the others the parsing thread); /metrics sums every worker's.
struct udp_counters {
  local_counter received, dropped_bus, dropped_kernel, dropped_queue, dropped_rate, refused, parse_errors, truncated;
};

// One UDP socket (SO_REUSEPORT when there are several): read on its io_context's thread into
// `queue` (udp_reader.hpp), parsed on `parser` (datagram_queue.hpp says why).
struct udp_worker {
  udp::socket socket;
  asio::steady_timer drops_timer;
  std::uint64_t inode = 0;
  std::uint64_t kernel_drops_seen = 0;  // a new socket starts with none
  std::shared_ptr<udp_counters> counters = std::make_shared<udp_counters>();
  // The last sender's address as text: a device sends many datagrams in a row.
  asio::ip::address last_sender;
  std::string last_peer;
  datagram_queue queue;
  udp_reader reader;
  std::thread parser;

  udp_worker(asio::io_context& io, std::size_t queue_bytes)
      : socket(io), drops_timer(io), queue(queue_bytes), reader(socket, queue, counters->dropped_queue) {}
};

}  // namespace

struct listener::impl : std::enable_shared_from_this<listener::impl> {
  asio::io_context& io;
  listener_settings settings;
  core::producer& out;
  event_ids& ids;
  tcp::acceptor acceptor;
  std::unique_ptr<asio::ssl::context> tls;
  // UDP: one worker on `io` (options.workers 1), or one per thread of `threads`.
  std::unique_ptr<worker_threads> threads;
  std::vector<std::unique_ptr<udp_worker>> udp_workers;
  std::vector<ip_network> allowed;
  std::vector<source_rule> sources;
  std::mutex limiter_mu;  // the limiter is shared by the UDP workers and the TCP connections
  rate_limiter limiter;
  std::atomic<std::size_t> connections{0};
  core::counter& received_tcp;
  core::counter& received_tls;
  core::counter& tls_handshake_failures;
  core::counter& refused_network;
  core::counter& refused_connections;
  core::counter& idle_closed;
  core::counter& parse_errors;
  core::counter& truncated;
  std::atomic<bool> stopped{false};

  impl(asio::io_context& io_, listener_settings s, core::producer& o, event_ids& i, core::metrics_registry& m)
      : io(io_),
        settings(std::move(s)),
        out(o),
        ids(i),
        acceptor(io_),
        limiter(settings.options.rate_limit, static_cast<double>(settings.options.rate_burst)),
        received_tcp(m.make_counter("talaia_events_received_total", "transport=\"tcp\",format=\"syslog\"", "Messages received")),
        received_tls(m.make_counter("talaia_events_received_total", "transport=\"tls\",format=\"syslog\"", "Messages received")),
        tls_handshake_failures(m.make_counter("talaia_syslog_refused_total", "reason=\"tls_handshake\"", "Datagrams and connections refused")),
        refused_network(m.make_counter("talaia_syslog_refused_total", "reason=\"not_allowed\"", "Datagrams and connections refused")),
        refused_connections(m.make_counter("talaia_syslog_refused_total", "reason=\"max_connections\"", "Datagrams and connections refused")),
        idle_closed(m.make_counter("talaia_syslog_idle_closed_total", "", "Connections closed after idle_timeout")),
        parse_errors(m.make_counter("talaia_parse_errors_total", "format=\"syslog\"", "Messages kept raw with a parse_error")),
        truncated(m.make_counter("talaia_events_truncated_total", "format=\"syslog\"", "Messages cut at the size limit")) {}

  core::result<void> prepare_tls() {
    const auto& o = settings.options;
    if (o.tls_certificate.empty() || o.tls_private_key.empty())
      return core::make_error("syslog tls listener " + settings.at.text() + " needs a certificate and a private key");
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                         asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                     ec);
    // No TLS 1.3 session tickets: a sender that never reads (loggen, most devices) would close
    // with them unread, its kernel would answer with a reset, and ours would throw away the
    // messages still waiting in our receive queue.
    SSL_CTX_set_num_tickets(tls->native_handle(), 0);
    SSL_CTX_set_options(tls->native_handle(), SSL_OP_NO_TICKET);
    tls->use_certificate_chain_file(o.tls_certificate, ec);
    if (ec) return core::make_error("syslog tls certificate " + o.tls_certificate + ": " + ec.message());
    tls->use_private_key_file(o.tls_private_key, asio::ssl::context::pem, ec);
    if (ec) return core::make_error("syslog tls private key " + o.tls_private_key + ": " + ec.message());
    if (!o.tls_client_ca.empty()) {
      tls->load_verify_file(o.tls_client_ca, ec);
      if (ec) return core::make_error("syslog tls client_ca " + o.tls_client_ca + ": " + ec.message());
      tls->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    }
    return {};
  }

  core::result<void> prepare() {
    if (settings.tls)
      if (auto r = prepare_tls(); !r) return r;
    for (const auto& text : settings.options.allowed_networks) {
      auto n = ip_network::parse(text);
      if (!n) return core::make_error("syslog.allowed_networks: " + n.err().message);
      allowed.push_back(*n);
    }
    for (const auto& src : settings.options.sources) {
      auto n = ip_network::parse(src.network);
      if (!n) return core::make_error("syslog.sources (line " + std::to_string(src.line) + "): " + n.err().message);
      source_rule rule{*n, nullptr, src.key_value};
      if (!src.time_zone.empty()) {
        auto z = time_zone::make(src.time_zone);
        if (!z) return core::make_error("syslog.sources (line " + std::to_string(src.line) + "): " + z.err().message);
        rule.zone = std::make_shared<const time_zone>(std::move(*z));
      }
      sources.push_back(std::move(rule));
    }
    return {};
  }

  bool is_allowed(const asio::ip::address& a) const {
    if (allowed.empty()) return true;
    for (const auto& n : allowed)
      if (n.contains(a)) return true;
    return false;
  }

  const source_rule* source_for(const asio::ip::address& a) const {
    for (const auto& s : sources)
      if (s.network.contains(a)) return &s;
    return nullptr;
  }

  // Registers a UDP worker's counters with the metrics its listener shares, and its own count
  // of datagrams (to see how the kernel spreads senders over the workers).
  static void add_udp_parts(core::metrics_registry& m, const udp_worker& w, const std::string& listen, std::size_t k) {
    const auto& c = w.counters;
    add_part(m, "talaia_udp_worker_received_total", "listener=\"syslog\",listen=\"" + listen + "\",worker=\"" + std::to_string(k) + "\"",
             "Datagrams received by each UDP worker (SO_REUSEPORT socket)", c, c->received);
    add_part(m, "talaia_events_received_total", "transport=\"udp\",format=\"syslog\"", "Messages received", c, c->received);
    add_part(m, "talaia_events_discarded_total", "reason=\"bus_full\",transport=\"udp\"", "Messages discarded", c, c->dropped_bus);
    add_part(m, "talaia_events_discarded_total", "reason=\"kernel_receive_buffer\",transport=\"udp\"", "Messages discarded", c,
             c->dropped_kernel);
    add_part(m, "talaia_events_discarded_total", "reason=\"receive_queue_full\",transport=\"udp\"", "Messages discarded", c,
             c->dropped_queue);
    add_part(m, "talaia_events_discarded_total", "reason=\"rate_limit\",transport=\"udp\"", "Messages discarded", c, c->dropped_rate);
    add_part(m, "talaia_syslog_refused_total", "reason=\"not_allowed\"", "Datagrams and connections refused", c, c->refused);
    add_part(m, "talaia_parse_errors_total", "format=\"syslog\"", "Messages kept raw with a parse_error", c, c->parse_errors);
    add_part(m, "talaia_events_truncated_total", "format=\"syslog\"", "Messages cut at the size limit", c, c->truncated);
  }

  // The rate limiter, shared by every thread of this listener.
  bool rate_allow(const std::string& peer) {
    if (!limiter.enabled()) return true;
    std::lock_guard lock(limiter_mu);
    return limiter.allow(peer, core::now_micros());
  }
  void rate_take(const std::string& peer) {
    if (!limiter.enabled()) return;
    std::lock_guard lock(limiter_mu);
    limiter.take(peer, core::now_micros());
  }
  std::int64_t rate_wait_micros(const std::string& peer) {
    if (!limiter.enabled()) return 0;
    std::lock_guard lock(limiter_mu);
    return limiter.wait_micros(peer, core::now_micros());
  }

  // One message to one JSON event; tells whether it carries a parse_error.
  std::string to_json(std::string_view line, const std::string& peer, const source_rule* source, bool was_truncated,
                      bool& parse_error, std::int64_t received_micros) {
    // One event and id buffer per thread, reused message after message: no allocation once warm.
    thread_local core::event ev;
    thread_local std::string id;
    ev.clear();
    ids.next_into(id);
    ev.set_string("id", id);
    parse_context ctx;
    ctx.received_micros = received_micros;
    ctx.peer = peer;
    ctx.default_year = settings.options.year;
    if (source != nullptr) {
      ctx.zone = source->zone.get();
      ctx.key_value = source->key_value;
    }
    parse(line, ctx, ev);
    if (was_truncated) {
      std::string why = "truncated at " + std::to_string(settings.max_message) + " bytes";
      if (auto* e = ev.find("parse_error")) why = std::string(e->text) + "; " + why;
      ev.set_string("parse_error", why);
    }
    parse_error = ev.has("parse_error");
    return core::encode_event(ev);
  }

  // The parsing thread of a UDP worker: until the queue is closed and empty.
  void parse_udp(udp_worker& w) {
    datagram_queue::batch b;
    while (w.queue.pop_all(b))
      for (const auto& d : b.datagrams) on_datagram(w, b.bytes(d), d.from, d.received_micros);
  }

  void on_datagram(udp_worker& w, std::string_view bytes, const asio::ip::address& address, std::int64_t received_micros) {
    udp_counters& c = *w.counters;
    if (!is_allowed(address)) {
      c.refused.add();
      return;
    }
    std::string_view line = without_octet_count(bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == '\0')) line.remove_suffix(1);
    if (line.empty()) return;
    c.received.add();
    if (w.last_peer.empty() || address != w.last_sender) {
      w.last_sender = address;
      w.last_peer = address.to_string();
    }
    const std::string& peer = w.last_peer;
    if (!rate_allow(peer)) {
      c.dropped_rate.add();
      return;
    }
    const bool cut = line.size() > settings.max_message;
    if (cut) {
      line = line.substr(0, settings.max_message);
      c.truncated.add();
    }
    bool parse_error = false;
    std::string json = to_json(line, peer, source_for(address), cut, parse_error, received_micros);
    if (parse_error) c.parse_errors.add();
    if (!out.try_send(settings.topic, peer, std::move(json))) c.dropped_bus.add();
  }

  // Kernel drops of the worker's socket (receive buffer overflows), from /proc/net/udp{,6}.
  static void count_kernel_drops(udp_worker& w) {
    if (w.inode == 0) return;
    auto drops = udp_socket_drops(read_text_file("/proc/net/udp"), w.inode);
    if (!drops) drops = udp_socket_drops(read_text_file("/proc/net/udp6"), w.inode);
    if (!drops) return;
    if (*drops > w.kernel_drops_seen) w.counters->dropped_kernel.add(*drops - w.kernel_drops_seen);
    w.kernel_drops_seen = *drops;
  }

  void watch_kernel_drops(udp_worker& w) {
    w.drops_timer.expires_after(std::chrono::seconds(1));
    w.drops_timer.async_wait([self = shared_from_this(), &w](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      count_kernel_drops(w);
      self->watch_kernel_drops(w);
    });
  }

  struct tcp_session : std::enable_shared_from_this<tcp_session> {
    std::shared_ptr<impl> owner;
    tcp::socket socket;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;  // RFC 5425 listeners only
    asio::steady_timer idle_timer;
    asio::steady_timer pace_timer;
    std::string peer;
    const source_rule* source = nullptr;
    stream_framer framer;
    std::vector<char> buffer;
    std::chrono::steady_clock::time_point last_read = std::chrono::steady_clock::now();

    tcp_session(std::shared_ptr<impl> o, tcp::socket s, const asio::ip::address& address)
        : owner(std::move(o)),
          socket(std::move(s)),
          idle_timer(owner->io),
          pace_timer(owner->io),
          peer(address.to_string()),
          source(owner->source_for(address)),
          framer(owner->settings.max_message),
          buffer(owner->settings.options.read_budget) {
      ++owner->connections;
      if (owner->tls) tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket, *owner->tls);
    }
    ~tcp_session() { --owner->connections; }

    void deliver(std::string_view frame, bool cut) {
      (tls ? owner->received_tls : owner->received_tcp).add();
      owner->rate_take(peer);
      if (cut) owner->truncated.add();
      bool parse_error = false;
      std::string json = owner->to_json(frame, peer, source, cut, parse_error, core::now_micros());
      if (parse_error) owner->parse_errors.add();
      // Waits while the bus is full: the socket is not read meanwhile (backpressure).
      if (auto r = owner->out.send(owner->settings.topic, peer, std::move(json)); !r)
        core::log(core::log_level::debug, "syslog", "error=\"" + r.err().message + "\" message not queued");
    }

    void start() {
      watch_idle();
      if (!tls) return read();
      tls->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](boost::system::error_code ec) {
        if (ec) {
          self->owner->tls_handshake_failures.add();
          core::log(core::log_level::debug, "syslog", "peer=" + self->peer + " error=\"" + ec.message() + "\" TLS handshake failed");
          self->idle_timer.cancel();
          boost::system::error_code ignored;
          self->socket.close(ignored);
          return;
        }
        self->read();
      });
    }

    void watch_idle() {
      const auto timeout = owner->settings.options.idle_timeout;
      if (timeout.count() <= 0) return;
      idle_timer.expires_at(last_read + timeout);
      idle_timer.async_wait([self = shared_from_this(), timeout](boost::system::error_code ec) {
        if (ec) return;
        if (std::chrono::steady_clock::now() - self->last_read >= timeout) {
          self->owner->idle_closed.add();
          boost::system::error_code ignored;
          self->socket.close(ignored);  // the pending read ends and delivers what it holds
          return;
        }
        self->watch_idle();
      });
    }

    void read() {
      auto on_read = [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        self->last_read = std::chrono::steady_clock::now();
        auto on_frame = [&](std::string_view f, bool cut) { self->deliver(f, cut); };
        if (n > 0) self->framer.feed(std::string_view(self->buffer.data(), n), on_frame);
        if (ec) {
          // EOF, a TLS peer gone without close_notify (stream_truncated), a reset: what arrived
          // is delivered, the partial frame too.
          self->framer.finish(on_frame);
          self->idle_timer.cancel();
          self->pace_timer.cancel();
          return;
        }
        if (self->owner->stopped) return;
        // Over its rate: read again only when its debt is paid.
        const std::int64_t wait = self->owner->rate_wait_micros(self->peer);
        if (wait > 0) {
          self->pace_timer.expires_after(std::chrono::microseconds(wait));
          self->pace_timer.async_wait([self](boost::system::error_code) { self->read(); });
          return;
        }
        self->read();
      };
      if (tls)
        tls->async_read_some(asio::buffer(buffer), std::move(on_read));
      else
        socket.async_read_some(asio::buffer(buffer), std::move(on_read));
    }
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted && !self->stopped) self->accept();
        return;
      }
      self->on_connection(std::move(socket));
      self->accept();
    });
  }

  void on_connection(tcp::socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    if (!is_allowed(remote.address())) {
      refused_network.add();
      core::log(core::log_level::debug, "syslog", "peer=" + remote.address().to_string() + " connection refused: not in allowed_networks");
      return;
    }
    if (connections >= settings.options.max_connections) {
      refused_connections.add();
      core::log(core::log_level::debug, "syslog", "peer=" + remote.address().to_string() + " connection refused: max_connections reached");
      return;
    }
    std::make_shared<tcp_session>(shared_from_this(), std::move(socket), remote.address())->start();
  }
};

core::result<std::unique_ptr<listener>> listener::bind(asio::io_context& io, listener_settings s, core::producer& out,
                                                       event_ids& ids, core::metrics_registry& metrics) {
  auto i = std::make_shared<impl>(io, std::move(s), out, ids, metrics);
  if (auto r = i->prepare(); !r) return r.err();
  metrics.make_gauge("talaia_syslog_connections", "listen=\"" + i->settings.at.text() + "\"", "Open syslog TCP connections",
                     [w = std::weak_ptr<impl>(i)] {
                       auto p = w.lock();
                       return p ? static_cast<double>(p->connections.load()) : 0.0;
                     });
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
  if (i->settings.tls) return std::unique_ptr<listener>(new listener(std::move(i)));
  udp::endpoint uep(address, port);
  const std::size_t workers = std::max<std::size_t>(1, i->settings.options.workers);
  if (workers > 1) i->threads = std::make_unique<worker_threads>(workers);
  for (std::size_t k = 0; k < workers; ++k) {
    auto w = std::make_unique<udp_worker>(workers > 1 ? i->threads->io(k) : io, i->settings.options.udp_receive_buffer);
    if (auto r = open_udp(w->socket, uep, i->settings.options.udp_receive_buffer, workers > 1); !r)
      return core::make_error("syslog: " + r.err().message);
    w->inode = socket_inode(w->socket.native_handle());
    impl::add_udp_parts(metrics, *w, i->settings.at.host + ":" + std::to_string(port), k);
    i->udp_workers.push_back(std::move(w));
  }
  if (workers > 1) {
    std::vector<std::uint64_t> inodes;
    for (const auto& w : i->udp_workers) inodes.push_back(w->inode);
    if (auto r = check_port_not_shared(inodes, i->settings.at.host + ":" + std::to_string(port)); !r)
      return core::make_error("cannot listen for syslog: " + r.err().message);
  }
  return std::unique_ptr<listener>(new listener(std::move(i)));
}

listener::~listener() { stop(); }

void listener::start() {
  impl_->accept();
  if (impl_->settings.tls) {
    core::log_info("syslog", "address=" + impl_->settings.at.host + ":" + std::to_string(port()) +
                                 (impl_->settings.options.tls_client_ca.empty() ? "" : " client_ca=" + impl_->settings.options.tls_client_ca) +
                                 " listening on tls");
    return;
  }
  for (auto& w : impl_->udp_workers) {
    w->parser = std::thread([i = impl_, &w = *w] { i->parse_udp(w); });
    w->reader.start(impl_, [i = impl_.get()] { return i->stopped.load(); });
    // Started on the worker's own thread: its handlers never run anywhere else.
    asio::post(w->socket.get_executor(), [i = impl_, &w = *w] { i->watch_kernel_drops(w); });
  }
  if (impl_->threads) impl_->threads->start();
  asio::socket_base::receive_buffer_size granted;
  boost::system::error_code ec;
  impl_->udp_workers.front()->socket.get_option(granted, ec);
  core::log_info("syslog", "address=" + impl_->settings.at.host + ":" + std::to_string(port()) +
                               " udp_receive_buffer=" + std::to_string(ec ? 0 : granted.value()) +
                               " workers=" + std::to_string(impl_->udp_workers.size()) + " listening on udp and tcp");
}

void listener::stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [i = impl_] {
    boost::system::error_code ec;
    i->acceptor.close(ec);
  });
  for (auto& w : impl_->udp_workers)
    asio::post(w->socket.get_executor(), [i = impl_, &w = *w] {
      boost::system::error_code ec;
      w.socket.close(ec);
      w.drops_timer.cancel();
      w.reader.cancel();
    });
  // Worker threads end once their socket and timer are closed; the parsing threads once they
  // have parsed what was read before.
  if (impl_->threads) impl_->threads->join();
  for (auto& w : impl_->udp_workers) {
    w->queue.close();
    if (w->parser.joinable()) w->parser.join();
  }
}

std::uint16_t listener::port() const {
  boost::system::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

}  // namespace talaia::collectors::syslog
