// NetFlow v9 / IPFIX collector benchmark: records per CPU-second.
//
//   netflow_bench write FILE 9|10 PACKETS      a packet stream (2-byte length + packet, repeated)
//   netflow_bench decode FILE [STAGES]         decode_json + id + in-process bus, in this process,
//                                              as the listener does; STAGES "json" stops before the
//                                              bus; "events" decodes to core::event, "events-json"
//                                              encodes those (the path of `talaia decode`)
//   netflow_bench listen PORT RECORDS SECONDS  Talaia's UDP listener into the in-process bus (or
//                                              Kafka with BENCH_KAFKA=HOST:PORT, bench/bus_sink.hpp);
//                                              prints records and this process's CPU seconds
//   netflow_bench send FILE PORT PPS           replays the stream to 127.0.0.1:PORT, paced
//   netflow_bench warm-up                      240,000 messages into Kafka (BENCH_KAFKA), acknowledged
//
// bench/netflow/run.sh runs them beside nfcapd and goflow2 and prints the ratios.

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "bench/bus_sink.hpp"
#include "bench/cpu_time.hpp"
#include "bench/metric_lines.hpp"
#include "collectors/event_ids.hpp"
#include "collectors/netflow/decoder.hpp"
#include "collectors/netflow/listener.hpp"
#include "core/json.hpp"
#include "core/memory_bus.hpp"
#include "core/metrics.hpp"

namespace {

using namespace talaia;

std::string u8(unsigned v) { return std::string(1, static_cast<char>(v & 0xFF)); }
std::string u16(unsigned v) { return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)}; }
std::string u32(unsigned v) { return u16(v >> 16) + u16(v & 0xFFFF); }

// A typical router template: 18 fields, 45 bytes a record (as softflowd and IOS export).
const unsigned fields[][2] = {{8, 4}, {12, 4}, {15, 4}, {7, 2}, {11, 2}, {4, 1}, {5, 1}, {6, 1}, {1, 4},
                              {2, 4}, {22, 4}, {21, 4}, {10, 2}, {14, 2}, {16, 2}, {17, 2}, {9, 1}, {13, 1}};
constexpr unsigned records_per_packet = 24;

std::string template_set(bool ipfix) {
  std::string body = u16(256) + u16(std::size(fields));
  for (const auto& f : fields) body += u16(f[0]) + u16(f[1]);
  return u16(ipfix ? 2 : 0) + u16(static_cast<unsigned>(body.size() + 4)) + body;
}

std::string record(unsigned n) {
  return u32(0x0A000000 | (n & 0xFFFFFF)) + u32(0xC0000200 | (n % 200)) + u32(0x0A0000FE) + u16(1024 + n % 60000) +
         u16(n % 7 == 0 ? 53 : 443) + u8(n % 3 == 0 ? 17 : 6) + u8(0) + u8(0x1B) + u32(1500 + n % 9000) + u32(1 + n % 40) +
         u32(100000 + n % 1000) + u32(101000 + n % 1000) + u16(1) + u16(2) + u16(64500) + u16(64501) + u8(24) + u8(24);
}

std::vector<std::string> make_stream(int version, unsigned packets) {
  std::vector<std::string> out;
  unsigned n = 0, sequence = 0;
  for (unsigned p = 0; p < packets; ++p) {
    std::string sets;
    if (p % 20 == 0) sets += template_set(version == 10);
    std::string data;
    for (unsigned r = 0; r < records_per_packet; ++r) data += record(n++);
    sets += u16(256) + u16(static_cast<unsigned>(data.size() + 4)) + data;
    const unsigned now = 1772445600 + p / 1000;
    if (version == 10) {
      out.push_back(u16(10) + u16(static_cast<unsigned>(16 + sets.size())) + u32(now) + u32(sequence) + u32(1) + sets);
      sequence += records_per_packet;
    } else {
      out.push_back(u16(9) + u16(records_per_packet + (p % 20 == 0)) + u32(200000 + p) + u32(now) + u32(sequence++) + u32(1) + sets);
    }
  }
  return out;
}

std::vector<std::string> read_stream(const char* file) {
  std::ifstream in(file, std::ios::binary);
  const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  for (std::size_t at = 0; at + 2 <= b.size();) {
    const std::size_t len = (static_cast<unsigned char>(b[at]) << 8) | static_cast<unsigned char>(b[at + 1]);
    out.push_back(b.substr(at + 2, len));
    at += 2 + len;
  }
  return out;
}

int write(const char* file, int version, unsigned packets) {
  std::ofstream o(file, std::ios::binary);
  for (const auto& p : make_stream(version, packets)) o << u16(static_cast<unsigned>(p.size())) << p;
  return o ? 0 : 1;
}

// Decode, JSON-encode and queue every record, draining the bus on another thread.
int decode(const char* file, const std::string& stages) {
  const auto packets = read_stream(file);
  core::memory_bus bus(65536);
  auto producer = bus.make_producer();
  auto consumer = bus.make_consumer("talaia.events");
  std::atomic<bool> done{false};
  std::thread drain([&] {  // takes batches, as run_stage_loop does
    std::vector<core::message> batch;
    for (;;) {
      batch.clear();
      if (consumer->poll_batch(batch, 4096, std::chrono::milliseconds(10)) > 0) continue;
      if (done) {
        while (consumer->poll_batch(batch, 4096, std::chrono::milliseconds(0)) > 0) batch.clear();
        return;
      }
    }
  });
  collectors::netflow::decoder d;
  collectors::event_ids ids("bench", 1);
  std::vector<core::event> events;
  core::text_batch json;
  std::size_t records = 0, json_bytes = 0;
  const double t0 = bench::cpu_seconds();
  const auto w0 = std::chrono::steady_clock::now();
  for (const auto& p : packets) {
    if (stages == "events" || stages == "events-json") {
      d.recycle(events);  // as `talaia decode` does
      (void)d.decode(p, "192.0.2.1", 2055, 0, events);
      if (stages == "events-json")
        for (auto& ev : events) json_bytes += core::encode_event(ev).size();
      records += events.size();
      continue;
    }
    json.clear();
    (void)d.decode_json(p, "192.0.2.1", 2055, 0, json, &ids);  // with their ids, as the listener
    records += json.size();
    for (std::size_t i = 0; i < json.size(); ++i) json_bytes += json[i].size();
    if (stages == "json") continue;
    // As the listener hands them over; what a full bus refuses is sent again, waiting.
    for (std::size_t sent = producer->try_send_all("talaia.events", "192.0.2.1", json); sent < json.size(); ++sent)
      (void)producer->send("talaia.events", "192.0.2.1", std::string(json[sent]));
  }
  done = true;
  drain.join();
  const double cpu = bench::cpu_seconds() - t0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  std::printf("records=%zu cpu_seconds=%.3f wall_seconds=%.3f\n", records, cpu, wall);
  if (json_bytes) std::fprintf(stderr, "json bytes %zu\n", json_bytes);
  return 0;
}

int listen(unsigned port, std::size_t want, double seconds) {
  boost::asio::io_context io{1};
  bench::bus_sink sink;
  collectors::event_ids ids("bench", 1);
  core::metrics_registry metrics;
  auto l = collectors::netflow::listener::bind(io, {{"127.0.0.1", static_cast<std::uint16_t>(port)}, "talaia.events", {}, {}},
                                               sink.producer(), ids, metrics);
  if (!l) return std::fprintf(stderr, "%s\n", l.err().message.c_str()), 2;
  (*l)->start();
  std::thread net([&] { io.run(); });
  const double t0 = bench::cpu_seconds();
  (void)sink.wait_for_count(want, std::chrono::duration<double>(seconds));
  sink.finish();  // Kafka: every record acknowledged by the broker
  const double cpu = bench::cpu_seconds() - t0;
  (*l)->stop();
  io.stop();
  net.join();
  // Where missing records went (bus or producer queue full, reading queue full), on stderr.
  bench::print_metric_lines(metrics, {"talaia_events_discarded_total", "talaia_flow_packets_discarded_total"}, true);
  std::printf("records=%zu cpu_seconds=%.3f\n", sink.count(), cpu);
  return 0;
}

// 240,000 record-sized messages into Kafka (BENCH_KAFKA), acknowledged: the broker creates the
// topic, loads the idempotent producer's coordinator and compiles its hot paths (a cold broker
// on this 2-core machine made the first measured run take twice the CPU of the next).
int warm_up() {
  bench::bus_sink sink;
  const std::string record = R"({"kind":"flow","warm_up":")" + std::string(400, 'x') + R"("})";
  core::text_batch batch;
  for (int packet = 0; packet < 10000; ++packet) {
    batch.clear();
    for (int i = 0; i < 24; ++i) batch.push(record);
    // Keys of every partition, and the listener's own (the exporter's address).
    const std::string key = packet % 2 == 0 ? "127.0.0.1" : "warm-up-" + std::to_string(packet % 32);
    while (sink.producer().try_send_all(bench::bus_sink::topic, key, batch) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the local queue is full: let it drain
  }
  sink.finish();
  return 0;
}

int send(const char* file, unsigned port, unsigned pps) {
  const auto packets = read_stream(file);
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const boost::asio::ip::udp::endpoint to(boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port));
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < packets.size(); ++i) {
    s.send_to(boost::asio::buffer(packets[i]), to);
    if (pps && i % 64 == 63) std::this_thread::sleep_until(start + std::chrono::microseconds((i + 1) * 1000000ULL / pps));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "write" && argc == 5) return write(argv[2], std::atoi(argv[3]), static_cast<unsigned>(std::atoi(argv[4])));
  if (cmd == "decode" && (argc == 3 || argc == 4)) return decode(argv[2], argc == 4 ? argv[3] : "bus");
  if (cmd == "listen" && argc == 5) return listen(static_cast<unsigned>(std::atoi(argv[2])), std::stoul(argv[3]), std::atof(argv[4]));
  if (cmd == "warm-up" && argc == 2) return warm_up();
  if (cmd == "send" && argc == 5) return send(argv[2], static_cast<unsigned>(std::atoi(argv[3])), static_cast<unsigned>(std::atoi(argv[4])));
  std::fprintf(stderr, "usage: see the top of bench/netflow/netflow_bench.cpp\n");
  return 2;
}
