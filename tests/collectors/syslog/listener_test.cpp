// The syslog listener with real senders on loopback: util-linux `logger` over UDP, TCP with LF
// framing and TCP with octet counting, plus raw sockets for what logger cannot do. Every message
// sent is counted on the bus (a recording producer).
#include "collectors/syslog/listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "tests/support/process.hpp"

namespace talaia::collectors::syslog {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class recording_producer : public core::producer {
 public:
  std::chrono::microseconds delay{0};  // per message, to make a slow bus
  core::result<void> send(std::string_view, std::string, std::string value) override {
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard lock(mutex_);
    values_.push_back(std::move(value));
    return {};
  }
  bool try_send(std::string_view topic, std::string key, std::string value) override {
    return static_cast<bool>(send(topic, std::move(key), std::move(value)));
  }
  core::result<void> flush(std::chrono::milliseconds) override { return {}; }
  std::vector<boost::json::object> events() {
    std::lock_guard lock(mutex_);
    std::vector<boost::json::object> out;
    for (const auto& v : values_) out.push_back(boost::json::parse(v).as_object());
    return out;
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return values_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> values_;
};

std::string text(const boost::json::object& e, const char* name) {
  const auto* v = e.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A listener on 127.0.0.1, port 0, served by its own io thread.
struct running_listener {
  asio::io_context io;
  recording_producer bus;
  event_ids ids{"test", 1};
  core::metrics_registry metrics;
  std::unique_ptr<listener> l;
  std::thread thread;

  explicit running_listener(listener_settings s = {}) {
    s.at = {"127.0.0.1", 0};
    start(std::move(s));
  }
  void start(listener_settings s) {
    auto r = listener::bind(io, std::move(s), bus, ids, metrics);
    if (!r) throw std::runtime_error(r.err().message);
    l = std::move(*r);
    l->start();
    thread = std::thread([this] { io.run(); });
  }
  ~running_listener() {
    l->stop();
    std::this_thread::sleep_for(50ms);
    io.stop();
    thread.join();
  }
  std::string port() const { return std::to_string(l->port()); }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    return talaia::testing::eventually([&] { return bus.size() >= n; }, timeout);
  }
};

// A file of `count` numbered lines for `logger -f`.
std::filesystem::path lines_file(const std::filesystem::path& dir, int count, const std::string& prefix) {
  std::string text;
  for (int i = 0; i < count; ++i) text += prefix + " message " + std::to_string(i) + "\n";
  const auto path = dir / (prefix + ".txt");
  talaia::testing::write_file(path, text);
  return path;
}

void expect_all_numbered(const std::vector<boost::json::object>& events, int count, const std::string& prefix) {
  std::vector<bool> seen(static_cast<std::size_t>(count));
  for (const auto& e : events) {
    const std::string m = text(e, "message");
    const std::string head = prefix + " message ";
    if (m.rfind(head, 0) == 0) seen.at(std::stoul(m.substr(head.size()))) = true;
    EXPECT_EQ(text(e, "app_name"), "talaia-test");
    EXPECT_FALSE(e.contains("parse_error")) << text(e, "raw");
  }
  for (int i = 0; i < count; ++i) EXPECT_TRUE(seen[static_cast<std::size_t>(i)]) << prefix << " message " << i << " missing";
}

class syslog_logger_transport : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(syslog_logger_transport, every_message_reaches_the_bus) {
  running_listener r;
  const auto dir = talaia::testing::make_temp_dir("syslog-listener");
  constexpr int count = 500;
  const std::string prefix = GetParam()[0];
  std::vector<std::string> argv{"logger", "-n", "127.0.0.1", "-P", r.port(), "-t", "talaia-test"};
  argv.insert(argv.end(), GetParam().begin() + 1, GetParam().end());
  argv.insert(argv.end(), {"-f", lines_file(dir, count, prefix).string()});
  const auto result = talaia::testing::run_command(argv, 30s);
  ASSERT_EQ(result.code, 0) << result.err;
  ASSERT_TRUE(r.wait_for(count)) << r.bus.size() << " of " << count;
  std::this_thread::sleep_for(100ms);
  const auto events = r.bus.events();
  EXPECT_EQ(events.size(), static_cast<std::size_t>(count));
  expect_all_numbered(events, count, prefix);
}

// UDP is paced by logger itself (one datagram per line); loopback does not drop 500 of them.
INSTANTIATE_TEST_SUITE_P(
    syslog_logger, syslog_logger_transport,
    ::testing::Values(std::vector<std::string>{"udp", "-d", "--rfc5424"}, std::vector<std::string>{"udp3164", "-d", "--rfc3164"},
                      std::vector<std::string>{"tcp_lf", "-T", "--rfc5424"},
                      std::vector<std::string>{"tcp_octet_counting", "-T", "--rfc5424", "--octet-count"}),
    [](const auto& info) { return info.param[0]; });

// syslog-ng's loggen: 256-byte messages as fast as asked, every one counted on the bus.
class syslog_loggen_transport : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(syslog_loggen_transport, every_message_reaches_the_bus) {
  running_listener r;
  const std::size_t count = GetParam()[0] == "udp" ? 5000 : 20000;
  std::vector<std::string> argv{"loggen", "-i", "-s", "256", "-n", std::to_string(count)};
  argv.insert(argv.end(), GetParam().begin() + 1, GetParam().end());
  argv.insert(argv.end(), {"127.0.0.1", r.port()});
  const auto result = talaia::testing::run_command(argv, 60s);
  ASSERT_EQ(result.code, 0) << result.err;
  ASSERT_TRUE(r.wait_for(count, 20s)) << r.bus.size() << " of " << count << "\n" << result.err;
  std::this_thread::sleep_for(100ms);
  const auto events = r.bus.events();
  EXPECT_EQ(events.size(), count);
  std::size_t errors = 0;
  for (const auto& e : events) errors += e.contains("parse_error");
  EXPECT_EQ(errors, 0u) << text(events.at(0), "raw");
}

INSTANTIATE_TEST_SUITE_P(
    syslog_loggen, syslog_loggen_transport,
    ::testing::Values(std::vector<std::string>{"tcp_octet_counting", "-S", "-P", "-r", "200000"},
                      std::vector<std::string>{"tcp_lf", "-S", "-r", "200000"},
                      std::vector<std::string>{"udp", "-D", "-P", "-r", "20000"}),
    [](const auto& info) { return info.param[0]; });

// A slow bus and a tiny receive buffer (which also bounds the queue between the reading and the
// parsing thread): datagrams are dropped by the kernel or refused by the full queue, and every
// datagram sent is either on the bus or counted as one of those.
TEST(syslog_listener, kernel_receive_buffer_and_queue_drops_are_counted) {
  listener_settings s;
  s.options.udp_receive_buffer = 4096;
  running_listener r(s);
  r.bus.delay = std::chrono::microseconds(500);
  asio::io_context io;
  asio::ip::udp::socket u(io, asio::ip::udp::v4());
  const asio::ip::udp::endpoint at(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(r.port())));
  constexpr int sent = 3000;
  for (int i = 0; i < sent; ++i) u.send_to(asio::buffer("<13>1 - h app - - - datagram " + std::to_string(i)), at);
  auto discarded = [&](const std::string& reason) {
    const std::string m = r.metrics.render();
    const std::string key = "talaia_events_discarded_total{reason=\"" + reason + "\",transport=\"udp\"} ";
    const auto at = m.find(key);
    return at == std::string::npos ? 0ul : std::stoul(m.substr(at + key.size()));
  };
  const auto dropped = [&] { return discarded("kernel_receive_buffer") + discarded("receive_queue_full"); };
  ASSERT_TRUE(talaia::testing::eventually([&] { return r.bus.size() + dropped() == sent; }, 15s))
      << r.bus.size() << " on the bus, " << discarded("kernel_receive_buffer") << " dropped by the kernel, "
      << discarded("receive_queue_full") << " refused by the queue, " << sent << " sent";
  EXPECT_GT(dropped(), 0u);
}

// Raw TCP bytes to the listener.
void send_tcp(const std::string& port, const std::string& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(port))});
  asio::write(s, asio::buffer(bytes));
  s.close();
}

TEST(syslog_listener, declared_length_over_the_limit_keeps_the_stream_in_step) {
  listener_settings s;
  s.max_message = 1024;
  running_listener r(s);
  const std::string big = "<13>1 - h app - - - " + std::string(5000, 'x');
  const std::string next = "<13>1 - h app - - - after the big one";
  send_tcp(r.port(), std::to_string(big.size()) + " " + big + std::to_string(next.size()) + " " + next);
  ASSERT_TRUE(r.wait_for(2));
  std::this_thread::sleep_for(100ms);
  const auto events = r.bus.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(text(events[0], "raw").size(), 1024u);
  EXPECT_EQ(text(events[0], "parse_error"), "truncated at 1024 bytes");
  EXPECT_EQ(text(events[1], "message"), "after the big one");
  EXPECT_FALSE(events[1].contains("parse_error"));
}

TEST(syslog_listener, oversized_udp_and_lf_messages_are_cut_and_flagged_once) {
  listener_settings s;
  s.max_message = 300;
  running_listener r(s);
  send_tcp(r.port(), "<13>Jan  1 00:00:00 h app: " + std::string(2000, 'y') + "\n<13>Jan  1 00:00:00 h app: short\n");
  ASSERT_TRUE(r.wait_for(2));
  std::this_thread::sleep_for(100ms);
  const auto events = r.bus.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(text(events[0], "raw").size(), 300u);
  EXPECT_EQ(text(events[0], "parse_error"), "truncated at 300 bytes");
  EXPECT_EQ(text(events[1], "message"), "short");
}

TEST(syslog_listener, asa_space_after_newline_and_mixed_framing) {
  running_listener r;
  const std::string counted = "<166>%ASA-6-302013: three";
  send_tcp(r.port(), "<166>%ASA-6-302013: one\n <166>%ASA-6-302013: two\n " + std::to_string(counted.size()) + " " + counted);
  ASSERT_TRUE(r.wait_for(3));
  const auto events = r.bus.events();
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) EXPECT_EQ(text(e, "cisco.mnemonic"), "302013");
  EXPECT_EQ(text(events[2], "raw"), "<166>%ASA-6-302013: three");
}

// The sender closes mid-frame, right after writing (no final LF, no goodbye).
TEST(syslog_listener, abrupt_disconnect_loses_nothing_already_sent) {
  running_listener r;
  std::string bytes;
  for (int i = 0; i < 200; ++i) bytes += "<13>1 - h app - - - n" + std::to_string(i) + "\n";
  bytes += "<13>1 - h app - - - last without newline";
  send_tcp(r.port(), bytes);
  ASSERT_TRUE(r.wait_for(201)) << r.bus.size();
}

TEST(syslog_listener, senders_outside_allowed_networks_are_refused) {
  listener_settings s;
  s.options.allowed_networks = {"192.0.2.0/24"};
  running_listener r(s);
  const auto result = talaia::testing::run_command({"logger", "-d", "-n", "127.0.0.1", "-P", r.port(), "refused"}, 10s);
  ASSERT_EQ(result.code, 0);
  send_tcp(r.port(), "<13>refused too\n");
  ASSERT_TRUE(talaia::testing::eventually(
      [&] { return r.metrics.render().find("talaia_syslog_refused_total{reason=\"not_allowed\"} 2") != std::string::npos; }, 5s))
      << r.metrics.render();
  EXPECT_EQ(r.bus.size(), 0u);
}

TEST(syslog_listener, source_time_zone_and_key_value_by_network) {
  listener_settings s;
  s.options.sources = {{"10.0.0.0/8", "UTC", false, 1}, {"127.0.0.0/8", "+02:00", true, 2}};
  s.options.year = 2024;
  running_listener r(s);
  send_tcp(r.port(), "<13>Feb 29 12:00:00 h app: user=alice result=ok\n");
  ASSERT_TRUE(r.wait_for(1));
  const auto e = r.bus.events().at(0);
  EXPECT_EQ(text(e, "timestamp"), "2024-02-29T10:00:00Z");
  EXPECT_EQ(text(e, "kv.user"), "alice");
}

TEST(syslog_listener, bad_source_settings_stop_bind_with_a_reason) {
  asio::io_context io;
  recording_producer bus;
  event_ids ids{"t", 1};
  core::metrics_registry metrics;
  listener_settings s;
  s.at = {"127.0.0.1", 0};
  s.options.sources = {{"10.0.0.0/8", "Mars/Olympus", false, 7}};
  auto r = listener::bind(io, s, bus, ids, metrics);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("line 7"), std::string::npos) << r.err().message;
  EXPECT_NE(r.err().message.find("Mars/Olympus"), std::string::npos);
  s.options.sources.clear();
  s.options.allowed_networks = {"10.0.0.1/8"};
  EXPECT_FALSE(listener::bind(io, s, bus, ids, metrics));
}

TEST(syslog_listener, connections_over_the_maximum_are_closed) {
  listener_settings s;
  s.options.max_connections = 1;
  running_listener r(s);
  asio::io_context io;
  asio::ip::tcp::socket first(io), second(io);
  const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(r.port())));
  first.connect(at);
  ASSERT_TRUE(talaia::testing::eventually(
      [&] { return r.metrics.render().find("talaia_syslog_connections{listen=\"127.0.0.1:0\"} 1") != std::string::npos; }, 5s))
      << r.metrics.render();
  second.connect(at);
  char byte;
  boost::system::error_code ec;
  second.read_some(asio::buffer(&byte, 1), ec);  // closed by the listener
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  asio::write(first, asio::buffer(std::string("<13>still served\n")));
  EXPECT_TRUE(r.wait_for(1));
}

TEST(syslog_listener, idle_connections_are_closed_after_the_timeout) {
  listener_settings s;
  s.options.idle_timeout = 300ms;
  running_listener r(s);
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(r.port()))});
  asio::write(socket, asio::buffer(std::string("<13>partial frame")));
  char byte;
  boost::system::error_code ec;
  const auto start = std::chrono::steady_clock::now();
  socket.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE(r.wait_for(1));  // what it had sent is kept
  EXPECT_EQ(text(r.bus.events().at(0), "raw"), "<13>partial frame");
}

TEST(syslog_listener, udp_rate_limit_per_source_drops_and_counts) {
  listener_settings s;
  s.options.rate_limit = 1;
  s.options.rate_burst = 5;
  running_listener r(s);
  asio::io_context io;
  asio::ip::udp::socket u(io, asio::ip::udp::v4());
  const asio::ip::udp::endpoint at(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(r.port())));
  for (int i = 0; i < 20; ++i) u.send_to(asio::buffer(std::string("<13>burst ") + std::to_string(i)), at);
  ASSERT_TRUE(talaia::testing::eventually(
      [&] { return r.metrics.render().find("reason=\"rate_limit\",transport=\"udp\"} 15") != std::string::npos; }, 5s))
      << r.metrics.render();
  EXPECT_EQ(r.bus.size(), 5u);
}

// A throw-away PKI made with the openssl command: a CA, a server and a client it signed, and a
// client signed by nobody the server trusts.
struct test_pki {
  std::filesystem::path dir = talaia::testing::make_temp_dir("syslog-tls");
  std::string path(const std::string& name) const { return (dir / name).string(); }

  void run(std::vector<std::string> argv) {
    const auto r = talaia::testing::run_command(std::move(argv), 30s);
    if (r.code != 0) throw std::runtime_error("openssl failed: " + r.err);
  }
  void key_and_request(const std::string& name, const std::string& cn) {
    run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         path(name + ".key"), "-out", path(name + ".csr"), "-subj", "/CN=" + cn});
  }
  void self_signed(const std::string& name) {
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         path(name + ".key"), "-out", path(name + ".pem"), "-days", "2", "-subj", "/CN=" + name});
  }
  void signed_by_ca(const std::string& name) {
    key_and_request(name, name == "server" ? "127.0.0.1" : name);
    run({"openssl", "x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
         "-CAcreateserial", "-out", path(name + ".pem"), "-days", "2"});
  }
  test_pki() {
    self_signed("ca");
    signed_by_ca("server");
    signed_by_ca("client");
    self_signed("rogue");
  }
  listener_settings settings(bool mutual) const {
    listener_settings s;
    s.at = {"127.0.0.1", 0};
    s.tls = true;
    s.options.tls_certificate = path("server.pem");
    s.options.tls_private_key = path("server.key");
    if (mutual) s.options.tls_client_ca = path("ca.pem");
    return s;
  }
};

// Connects over TLS (optionally with a client certificate), writes `bytes` and drops the TCP
// connection without close_notify. False when the handshake fails.
bool send_tls(const std::string& port, const std::string& bytes, const test_pki& pki, const std::string& client = "") {
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(pki.path("ca.pem"));
  ctx.set_verify_mode(asio::ssl::verify_peer);
  if (!client.empty()) {
    ctx.use_certificate_chain_file(pki.path(client + ".pem"));
    ctx.use_private_key_file(pki.path(client + ".key"), asio::ssl::context::pem);
  }
  asio::ip::tcp::socket socket(io);
  asio::ssl::stream<asio::ip::tcp::socket&> tls(socket, ctx);
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(port))});
  boost::system::error_code ec;
  tls.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return false;
  asio::write(tls, asio::buffer(bytes), ec);
  if (ec) return false;
  // TLS 1.3: the server's verdict on our certificate arrives after the handshake; read briefly.
  socket.non_blocking(true);
  std::this_thread::sleep_for(50ms);
  char byte;
  tls.read_some(asio::buffer(&byte, 1), ec);
  const bool refused = ec && ec != asio::error::would_block && ec != asio::ssl::error::stream_truncated;
  socket.close();  // no close_notify
  return !refused;
}

TEST(syslog_listener_tls, abrupt_disconnect_loses_nothing) {
  test_pki pki;
  running_listener r(pki.settings(false));
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    const std::string m = "<13>1 - h app - - - tls " + std::to_string(i);
    bytes += std::to_string(m.size()) + " " + m;
  }
  bytes += "<13>1 - h app - - - last one, no newline";
  ASSERT_TRUE(send_tls(r.port(), bytes, pki));
  ASSERT_TRUE(r.wait_for(301)) << r.bus.size();
  const auto events = r.bus.events();
  EXPECT_EQ(text(events.back(), "message"), "last one, no newline");
  EXPECT_NE(r.metrics.render().find("transport=\"tls\",format=\"syslog\"} 301"), std::string::npos);
}

TEST(syslog_listener_tls, mutual_tls_accepts_signed_clients_only) {
  test_pki pki;
  running_listener r(pki.settings(true));
  EXPECT_TRUE(send_tls(r.port(), "<13>1 - h app - - - with a certificate\n", pki, "client"));
  ASSERT_TRUE(r.wait_for(1));
  send_tls(r.port(), "<13>1 - h app - - - without one\n", pki);
  send_tls(r.port(), "<13>1 - h app - - - with a stranger's\n", pki, "rogue");
  ASSERT_TRUE(talaia::testing::eventually(
      [&] { return r.metrics.render().find("talaia_syslog_refused_total{reason=\"tls_handshake\"} 2") != std::string::npos; }, 5s))
      << r.metrics.render();
  std::this_thread::sleep_for(100ms);
  const auto events = r.bus.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(text(events[0], "message"), "with a certificate");
}

TEST(syslog_listener_tls, loggen_every_message_reaches_the_bus) {
  test_pki pki;
  running_listener r(pki.settings(false));
  constexpr std::size_t count = 20000;
  const auto result = talaia::testing::run_command(
      {"loggen", "-U", "-P", "-s", "256", "-r", "200000", "-n", std::to_string(count), "127.0.0.1", r.port()}, 60s);
  ASSERT_EQ(result.code, 0) << result.err;
  ASSERT_TRUE(r.wait_for(count, 20s)) << r.bus.size() << " of " << count << "\n" << result.err << result.out << "\n"
                                      << r.metrics.render();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(r.bus.size(), count);
}

TEST(syslog_listener_tls, missing_certificate_stops_bind) {
  asio::io_context io;
  recording_producer bus;
  event_ids ids{"t", 1};
  core::metrics_registry metrics;
  listener_settings s;
  s.at = {"127.0.0.1", 0};
  s.tls = true;
  s.options.tls_certificate = "/nonexistent/server.pem";
  s.options.tls_private_key = "/nonexistent/server.key";
  auto r = listener::bind(io, s, bus, ids, metrics);
  ASSERT_FALSE(r);
  EXPECT_NE(r.err().message.find("/nonexistent/server.pem"), std::string::npos) << r.err().message;
}

// A metric sample's value from the registry's text (0 when absent).
std::uint64_t sample(const core::metrics_registry& m, const std::string& name_and_labels) {
  const std::string text = m.render();
  const auto at = text.find("\n" + name_and_labels + " ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + name_and_labels.size() + 2));
}

// workers: 2 — two UDP sockets on one port (SO_REUSEPORT), each read by its own thread. The
// kernel spreads senders over them by source port: 16 logger processes (a socket each) and
// loggen with 4 connections reach both workers, and every message arrives exactly once;
// /metrics shows the workers' counters summed, and each worker's own.
TEST(syslog_listener_workers, every_udp_message_arrives_once_over_two_workers) {
  listener_settings s;
  s.options.workers = 2;
  running_listener r(s);
  const auto dir = talaia::testing::make_temp_dir("syslog-workers");
  constexpr int senders = 16, lines = 50;
  for (int k = 0; k < senders; ++k) {
    const std::string prefix = "w" + std::to_string(k);
    const auto result = talaia::testing::run_command(
        {"logger", "-d", "--rfc5424", "-n", "127.0.0.1", "-P", r.port(), "-t", "talaia-test", "-f", lines_file(dir, lines, prefix).string()}, 30s);
    ASSERT_EQ(result.code, 0) << result.err;
  }
  ASSERT_TRUE(r.wait_for(senders * lines)) << r.bus.size();
  std::this_thread::sleep_for(200ms);
  const auto events = r.bus.events();
  EXPECT_EQ(events.size(), static_cast<std::size_t>(senders * lines));
  for (int k = 0; k < senders; ++k) {
    std::vector<boost::json::object> mine;
    for (const auto& e : events)
      if (text(e, "message").rfind("w" + std::to_string(k) + " message ", 0) == 0) mine.push_back(e);
    EXPECT_EQ(mine.size(), static_cast<std::size_t>(lines)) << "sender " << k;
    expect_all_numbered(mine, lines, "w" + std::to_string(k));
  }

  // loggen: 4 connections (sockets), 4,000 messages in all.
  constexpr std::size_t loggen_count = 4000;
  if (std::filesystem::exists("/usr/bin/loggen")) {
    const auto result = talaia::testing::run_command(
        {"loggen", "-i", "-D", "-P", "-s", "256", "-r", "20000", "-n", std::to_string(loggen_count / 4), "--active-connections", "4", "127.0.0.1", r.port()},
        60s);
    ASSERT_EQ(result.code, 0) << result.err;
    EXPECT_TRUE(r.wait_for(senders * lines + loggen_count, 20s)) << r.bus.size() << "\n" << result.err;
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(r.bus.size(), senders * lines + loggen_count);
  }
  const std::size_t total = r.bus.size();
  const std::string listen = "127.0.0.1:" + r.port();
  const auto w0 = sample(r.metrics, "talaia_udp_worker_received_total{listener=\"syslog\",listen=\"" + listen + "\",worker=\"0\"}");
  const auto w1 = sample(r.metrics, "talaia_udp_worker_received_total{listener=\"syslog\",listen=\"" + listen + "\",worker=\"1\"}");
  EXPECT_GT(w0, 0u);
  EXPECT_GT(w1, 0u);
  EXPECT_EQ(w0 + w1, total);
  EXPECT_EQ(sample(r.metrics, "talaia_events_received_total{transport=\"udp\",format=\"syslog\"}"), total);
  std::cerr << "workers: " << w0 << " and " << w1 << " datagrams\n";
}

TEST(syslog_listener_workers, tcp_shares_the_port_and_the_port_is_taken_by_every_worker) {
  listener_settings s;
  s.options.workers = 3;
  running_listener r(s);
  send_tcp(r.port(), "<13>1 - h talaia-test - - - over tcp\n");
  ASSERT_TRUE(r.wait_for(1));
  EXPECT_EQ(text(r.bus.events().at(0), "message"), "over tcp");
  // Another listener (without SO_REUSEPORT) cannot take the port.
  asio::io_context io;
  asio::ip::udp::socket u(io, asio::ip::udp::v4());
  boost::system::error_code ec;
  u.bind({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(r.port()))}, ec);
  EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace talaia::collectors::syslog
