// Syslog collector benchmark: Talaia's listener (parse, JSON, in-process bus) in this process.
//
//   syslog_bench listen PORT MESSAGES SECONDS [CERT KEY]
//     TCP+UDP on 127.0.0.1:PORT (TLS only when CERT and KEY are given) into the in-process bus,
//     drained by a consumer thread (or Kafka, with BENCH_KAFKA=HOST:PORT; see bench/bus_sink.hpp);
//     stops after MESSAGES or SECONDS and prints
//     `messages=N cpu_seconds=S` (this process's CPU from the first message to the last).
//     SYSLOG_BENCH_WORKERS=N in the environment: N UDP workers (SO_REUSEPORT sockets, a thread each).
//
// bench/syslog/run.sh drives it and syslog-ng/rsyslog with the same loggen and prints the ratios.

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "bench/bus_sink.hpp"
#include "bench/cpu_time.hpp"
#include "collectors/event_ids.hpp"
#include "collectors/syslog/listener.hpp"
#include "core/metrics.hpp"

namespace {

using namespace talaia;

int listen(unsigned port, std::size_t want, double seconds, const char* cert, const char* key) {
  boost::asio::io_context io{1};
  bench::bus_sink sink;
  collectors::event_ids ids("bench", 1);
  core::metrics_registry metrics;
  collectors::syslog::listener_settings s;
  s.at = {"127.0.0.1", static_cast<std::uint16_t>(port)};
  s.options.udp_receive_buffer = 64 << 20;
  if (const char* w = std::getenv("SYSLOG_BENCH_WORKERS")) s.options.workers = std::strtoul(w, nullptr, 10);
  if (cert != nullptr) {
    s.tls = true;
    s.options.tls_certificate = cert;
    s.options.tls_private_key = key;
  }
  auto l = collectors::syslog::listener::bind(io, s, sink.producer(), ids, metrics);
  if (!l) return std::fprintf(stderr, "%s\n", l.err().message.c_str()), 2;
  (*l)->start();
  auto received = [&] { return sink.count(); };
  std::thread net([&] { io.run(); });
  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::duration<double>(seconds);
  while (received() == 0 && std::chrono::steady_clock::now() - start < limit) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const double t0 = bench::cpu_seconds();
  std::size_t last = 0;
  auto last_change = std::chrono::steady_clock::now();
  // Until all arrived, or nothing arrived for a second (UDP loss), or time is up.
  while (received() < want && std::chrono::steady_clock::now() - start < limit &&
         std::chrono::steady_clock::now() - last_change < std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (received() != last) {
      last = received();
      last_change = std::chrono::steady_clock::now();
    }
  }
  sink.finish();  // Kafka: every message acknowledged by the broker
  const double cpu = bench::cpu_seconds() - t0;
  (*l)->stop();
  io.stop();
  net.join();
  // Where the missing ones went (kernel receive buffer, bus full), on stderr.
  const std::string text = metrics.render();
  for (std::size_t at = 0, end; at < text.size(); at = end + 1) {
    end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    if (line.starts_with("talaia_events_discarded_total") || line.starts_with("talaia_udp_worker_received_total"))
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  }
  std::printf("messages=%zu cpu_seconds=%.3f\n", received(), cpu);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "listen" && (argc == 5 || argc == 7))
    return listen(static_cast<unsigned>(std::stoul(argv[2])), std::stoul(argv[3]), std::stod(argv[4]), argc == 7 ? argv[5] : nullptr,
                  argc == 7 ? argv[6] : nullptr);
  std::fprintf(stderr, "usage: syslog_bench listen PORT MESSAGES SECONDS [CERT KEY]\n");
  return 2;
}
