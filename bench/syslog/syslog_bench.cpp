// Syslog collector benchmark: Talaia's listener (parse, JSON, in-process bus) in this process.
//
//   syslog_bench listen PORT MESSAGES SECONDS [CERT KEY]
//     TCP+UDP on 127.0.0.1:PORT (TLS only when CERT and KEY are given) into the in-process bus,
//     drained by a consumer thread (or Kafka, with BENCH_KAFKA=HOST:PORT; see bench/bus_sink.hpp);
//     stops after MESSAGES or SECONDS and prints
//     `messages=N cpu_seconds=S` (this process's CPU from the first message to the last).
//     SYSLOG_BENCH_WORKERS=N in the environment: N UDP workers (SO_REUSEPORT sockets, a thread each).
//   syslog_bench topic BROKERS TOPIC
//     creates TOPIC (4 partitions, as talaia.events) when it does not exist and prints how many
//     messages it holds (the sum of its partitions' end offsets): what syslog-ng and rsyslog
//     delivered into Kafka.
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
#include "bench/metric_lines.hpp"
#include "collectors/event_ids.hpp"
#include "collectors/syslog/listener.hpp"
#include "core/kafka_client.hpp"
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
  // Until all arrived, or nothing arrived for a second (UDP loss), or time is up.
  while (received() < want && std::chrono::steady_clock::now() - start < limit) {
    const std::size_t before = received();
    if (sink.wait_for_count(want, std::chrono::seconds(1)) || received() == before) break;
  }
  sink.finish();  // Kafka: every message acknowledged by the broker
  const double cpu = bench::cpu_seconds() - t0;
  (*l)->stop();
  io.stop();
  net.join();
  // Where the missing ones went (kernel receive buffer, bus full), on stderr.
  bench::print_metric_lines(metrics, {"talaia_events_discarded_total", "talaia_udp_worker_received_total"}, false);
  std::printf("messages=%zu cpu_seconds=%.3f\n", received(), cpu);
  return 0;
}

// Creates `topic` when missing; prints the sum of its partitions' end offsets (-1 when the broker
// does not answer them yet).
int topic_messages(const std::string& brokers, const std::string& topic) {
  core::kafka_config k;
  k.brokers = brokers;
  k.partitions = 4;
  if (auto r = core::ensure_topics(k, {topic}); !r) return std::fprintf(stderr, "%s\n", r.err().message.c_str()), 2;
  auto conf = core::kafka::make_conf(k, {{"client.id", "bench-offsets"}});
  if (!conf) return std::fprintf(stderr, "%s\n", conf.err().message.c_str()), 2;
  auto rk = core::kafka::make_handle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return std::fprintf(stderr, "%s\n", rk.err().message.c_str()), 2;
  auto md = core::kafka::read_metadata(rk->get(), brokers, std::chrono::seconds(10));
  if (!md) return std::fprintf(stderr, "%s\n", md.err().message.c_str()), 2;
  const auto found = md->topics.find(topic);
  long long total = found == md->topics.end() ? -1 : 0;
  for (int p = 0; found != md->topics.end() && p < found->second; ++p) {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk->get(), topic.c_str(), p, &low, &high, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      total = -1;
      break;
    }
    total += high;
  }
  std::printf("%lld\n", total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "listen" && (argc == 5 || argc == 7))
    return listen(static_cast<unsigned>(std::stoul(argv[2])), std::stoul(argv[3]), std::stod(argv[4]), argc == 7 ? argv[5] : nullptr,
                  argc == 7 ? argv[6] : nullptr);
  if (cmd == "topic" && argc == 4) return topic_messages(argv[2], argv[3]);
  std::fprintf(stderr, "usage: syslog_bench listen PORT MESSAGES SECONDS [CERT KEY] | topic BROKERS TOPIC\n");
  return 2;
}
