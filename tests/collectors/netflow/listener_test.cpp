// The NetFlow listener on 127.0.0.1 with real exporters: softflowd exports a generated traffic
// capture with a known number of flows, bytes and packets as v5, v9 and IPFIX; every flow
// arrives as one event. Templates survive a listener restart.
#include "collectors/netflow/listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "collectors/udp_reader.hpp"
#include "core/memory_bus.hpp"
#include "tests/support/process.hpp"
#include "tests/support/sflow_oracle.hpp"

namespace talaia::collectors::netflow {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A producer that keeps what it is given.
class recording_producer : public core::producer {
 public:
  core::result<void> send(std::string_view, std::string key, std::string value) override {
    std::lock_guard lock(mu_);
    messages_.emplace_back(std::move(key), std::move(value));
    return {};
  }
  bool try_send(std::string_view t, std::string key, std::string value) override {
    (void)send(t, std::move(key), std::move(value));
    return true;
  }
  core::result<void> flush(std::chrono::milliseconds) override { return {}; }
  std::vector<std::pair<std::string, std::string>> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> messages_;
};

// A listener on 127.0.0.1:0 served by its own io_context thread.
struct running_listener {
  asio::io_context io{1};
  recording_producer out;
  event_ids ids{"test", 1};
  core::metrics_registry metrics;
  std::unique_ptr<listener> l;
  std::thread thread;

  explicit running_listener(const std::string& state_dir = {}, core::netflow_options_config options = {}) {
    auto r = listener::bind(io, {{"127.0.0.1", 0}, "talaia.events", state_dir, options}, out, ids, metrics);
    EXPECT_TRUE(r.ok()) << r.err().message;
    if (!r) return;
    l = std::move(*r);
    l->start();
    thread = std::thread([this] { io.run(); });
  }
  ~running_listener() { stop(); }
  void stop() {
    if (!thread.joinable()) return;
    l->stop();
    std::this_thread::sleep_for(100ms);
    io.stop();
    thread.join();
  }
  std::uint16_t port() const { return l ? l->port() : 0; }
};

struct totals {
  std::size_t flows = 0, v6 = 0;
  std::int64_t bytes = 0, packets = 0;
};

totals sum_of(const std::vector<std::pair<std::string, std::string>>& messages) {
  totals t;
  for (const auto& [key, value] : messages) {
    const auto ev = boost::json::parse(value).as_object();
    if (ev.at("kind").as_string() != "flow") continue;
    ++t.flows;
    t.bytes += ev.at("bytes").as_int64();
    t.packets += ev.at("packets").as_int64();
    if (std::string(ev.at("src_ip").as_string()).find(':') != std::string::npos) ++t.v6;
  }
  return t;
}

// traffic.pcap from shared/tools/gen_traffic.py: 100 TCP flows (3 packets, 220 IP bytes each),
// 50 UDP flows (2 packets, 136 bytes), 20 IPv6 UDP flows (2 packets, 2 x 248 bytes).
constexpr std::size_t tcp_flows = 100, udp_flows = 50, v6_flows = 20;
constexpr std::int64_t v4_bytes = tcp_flows * 220 + udp_flows * 136, v6_bytes = v6_flows * 2 * 248;
constexpr std::int64_t v4_packets = tcp_flows * 3 + udp_flows * 2, v6_packets = v6_flows * 2;

// (exporter, version): softflowd and pmacctd (its nfprobe plugin) exporting the same capture.
using export_case = std::pair<std::string, int>;

class netflow_real_exporter : public ::testing::TestWithParam<export_case> {
 protected:
  static void SetUpTestSuite() {
    dir_ = testing::make_temp_dir("talaia-netflow-listener");
    const std::string gen = TALAIA_SOURCE_DIR "/../shared/tools/gen_traffic.py";
    if (!fs::exists(gen)) return;
    auto r = testing::run_command({"/usr/bin/python3", gen, std::to_string(tcp_flows), std::to_string(udp_flows),
                                   std::to_string(v6_flows), (dir_ / "traffic.pcap").string()},
                                  60s);
    if (r.code != 0) why_not_ = "gen_traffic.py failed (python3-scapy installed?): " + r.err;
  }
  void SetUp() override {
    if (!fs::exists(TALAIA_SOURCE_DIR "/../shared/tools/gen_traffic.py")) GTEST_SKIP() << "shared/tools not present";
    if (!why_not_.empty()) GTEST_SKIP() << why_not_;
  }
  // Exports the traffic capture to 127.0.0.1:port; false when the exporter is not installed.
  static bool export_to(const std::string& exporter, int version, std::uint16_t port) {
    if (exporter == "softflowd") {
      if (!fs::exists("/usr/sbin/softflowd")) return false;
      auto r = testing::run_command({"/usr/sbin/softflowd", "-r", (dir_ / "traffic.pcap").string(), "-n",
                                     "127.0.0.1:" + std::to_string(port), "-v", std::to_string(version), "-d", "-c", "none"},
                                    60s);
      EXPECT_EQ(r.code, 0) << r.out << r.err;
      return true;
    }
    if (!fs::exists("/usr/sbin/pmacctd")) return false;
    if (exporter == "sfprobe") {  // sFlow v5, every packet sampled (1 in 1)
      const fs::path conf = dir_ / "sfprobe.conf";
      testing::write_file(conf, "daemonize: false\npcap_savefile: " + (dir_ / "traffic.pcap").string() +
                                    "\nplugins: sfprobe\nsfprobe_receiver: 127.0.0.1:" + std::to_string(port) +
                                    "\nsfprobe_agentip: 127.0.0.1\nsampling_rate: 1\n");
      (void)testing::run_command({"/usr/sbin/pmacctd", "-f", conf.string()}, 60s);
      return true;
    }
    const fs::path conf = dir_ / ("nfprobe-" + std::to_string(version) + ".conf");
    testing::write_file(conf, "daemonize: false\npcap_savefile: " + (dir_ / "traffic.pcap").string() +
                                  "\nplugins: nfprobe\nnfprobe_receiver: 127.0.0.1:" + std::to_string(port) +
                                  "\nnfprobe_version: " + std::to_string(version) + "\n");
    // pmacctd exits (status 1) once the capture file is read and its flows exported.
    (void)testing::run_command({"/usr/sbin/pmacctd", "-f", conf.string()}, 60s);
    return true;
  }
  static inline fs::path dir_;
  static inline std::string why_not_;
};

TEST_P(netflow_real_exporter, every_flow_byte_and_packet_arrives) {
  const auto& [exporter, version] = GetParam();
  running_listener l;
  ASSERT_NE(l.port(), 0);
  if (!export_to(exporter, version, l.port())) GTEST_SKIP() << exporter << " not installed (Debian package " << exporter << ")";
  // v5 carries no IPv6 flows.
  const std::size_t want_flows = tcp_flows + udp_flows + (version == 5 ? 0 : v6_flows);
  EXPECT_TRUE(testing::eventually([&] { return sum_of(l.out.messages()).flows >= want_flows; }, 20s));
  l.stop();
  const totals t = sum_of(l.out.messages());
  EXPECT_EQ(t.flows, want_flows);
  EXPECT_EQ(t.v6, version == 5 ? 0u : v6_flows);
  EXPECT_EQ(t.bytes, v4_bytes + (version == 5 ? 0 : v6_bytes));
  EXPECT_EQ(t.packets, v4_packets + (version == 5 ? 0 : v6_packets));
  // Keys are the exporter; metrics count the records and no sequence gap on loopback.
  for (const auto& [key, value] : l.out.messages()) EXPECT_EQ(key, "127.0.0.1");
  const std::string metrics = l.metrics.render();
  EXPECT_NE(metrics.find("talaia_events_received_total{transport=\"udp\",format=\"netflow\"} " + std::to_string(want_flows)),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("talaia_flow_sequence_gaps_total 0"), std::string::npos) << metrics;
}

INSTANTIATE_TEST_SUITE_P(netflow_exporters, netflow_real_exporter,
                         ::testing::Values(export_case{"softflowd", 5}, export_case{"softflowd", 9}, export_case{"softflowd", 10},
                                           export_case{"pmacctd", 5}, export_case{"pmacctd", 9}, export_case{"pmacctd", 10}),
                         [](const auto& info) { return info.param.first + "_v" + std::to_string(info.param.second); });

// nfcapd (nfdump), fed the same export, counts the same flows, bytes and packets as Talaia does
// in the test above.
TEST_F(netflow_real_exporter, nfcapd_counts_the_same_flows_bytes_and_packets) {
  if (!fs::exists("/usr/bin/nfcapd")) GTEST_SKIP() << "nfcapd not installed (Debian package nfdump)";
  for (int version : {9, 10}) {
    const fs::path store = testing::make_temp_dir("talaia-nfcapd");
    const std::uint16_t port = testing::free_port();
    testing::child_process nfcapd({"/usr/bin/nfcapd", "-b", "127.0.0.1", "-p", std::to_string(port), "-w", store.string(), "-t", "3600"},
                                  store, "nfcapd");
    std::this_thread::sleep_for(1s);  // nfcapd binds its socket
    if (!export_to("softflowd", version, port)) GTEST_SKIP() << "softflowd not installed";
    std::this_thread::sleep_for(2s);  // and reads what was sent before it is stopped
    nfcapd.signal(SIGTERM);
    ASSERT_TRUE(nfcapd.wait(10s).has_value());
    auto r = testing::run_command({"/usr/bin/nfdump", "-R", store.string(), "-q", "-o", "fmt:%pkt %byt %sa"}, 30s);
    ASSERT_EQ(r.code, 0) << r.err;
    std::istringstream in(r.out);
    totals t;
    for (std::string line; std::getline(in, line);) {
      std::istringstream l(line);
      std::int64_t packets = 0, bytes = 0;
      std::string src;
      if (!(l >> packets >> bytes >> src)) continue;
      ++t.flows, t.packets += packets, t.bytes += bytes;
      if (src.find(':') != std::string::npos) ++t.v6;
    }
    EXPECT_EQ(t.flows, tcp_flows + udp_flows + v6_flows) << version;
    EXPECT_EQ(t.v6, v6_flows) << version;
    EXPECT_EQ(t.bytes, v4_bytes + v6_bytes) << version;
    EXPECT_EQ(t.packets, v4_packets + v6_packets) << version;
  }
}

std::string u16(unsigned v) { return {static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)}; }
std::string u32(unsigned v) { return u16(v >> 16) + u16(v & 0xFFFF); }

TEST(netflow_listener, templates_survive_a_restart) {
  const fs::path state = testing::make_temp_dir("talaia-netflow-state");
  // IPFIX template 300 (src ip, bytes) then, after the restart, data only. The exporter keeps its
  // source port, so both sends go from one socket.
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto ipfix = [](const std::string& set) { return u16(10) + u16(static_cast<unsigned>(16 + set.size())) + u32(1772445600) + u32(0) + u32(1) + set; };
  const std::string tmpl = u16(2) + u16(16) + u16(300) + u16(2) + u16(8) + u16(4) + u16(1) + u16(4);
  const std::string data = u16(300) + u16(12) + u32(0x0A000001) + u32(777);
  std::uint16_t port;
  {
    running_listener first(state.string());
    port = first.port();
    s.send_to(asio::buffer(ipfix(tmpl)), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    EXPECT_TRUE(testing::eventually([&] { return first.metrics.render().find("talaia_flow_templates_total 1") != std::string::npos; }, 5s));
    first.stop();  // saves the templates
  }
  ASSERT_TRUE(fs::exists(state / ("netflow-templates-" + std::to_string(port) + ".txt")));
  // The same port again, so the same template file.
  asio::io_context io2;
  recording_producer out;
  event_ids ids{"test", 2};
  core::metrics_registry metrics;
  auto second = listener::bind(io2, {{"127.0.0.1", port}, "talaia.events", state.string(), {}}, out, ids, metrics);
  ASSERT_TRUE(second.ok()) << second.err().message;
  (*second)->start();
  std::thread t([&] { io2.run(); });
  s.send_to(asio::buffer(ipfix(data)), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  const bool arrived = testing::eventually([&] { return !out.messages().empty(); }, 5s);
  (*second)->stop();
  std::this_thread::sleep_for(100ms);
  io2.stop();
  t.join();
  ASSERT_TRUE(arrived);
  const auto ev = boost::json::parse(out.messages()[0].second).as_object();
  EXPECT_EQ(ev.at("src_ip").as_string(), "10.0.0.1");
  EXPECT_EQ(ev.at("bytes").as_int64(), 777);
}

// tshark's reading of sFlow datagrams captured on loopback: one JSON object per flow sample
// (tests/data/netflow/sflow_oracle.py) and the number of samples of every kind.
struct sflow_oracle {
  std::vector<boost::json::object> flow_samples;
  std::size_t samples = 0;
};

// dumpcap on `lo` for UDP datagrams to `port`, while `send` runs; empty reason when it worked.
std::string capture_loopback(std::uint16_t port, const fs::path& file, const std::function<void()>& send) {
  if (!fs::exists("/usr/bin/dumpcap")) return "dumpcap not installed (Debian package tshark)";
  testing::child_process dumpcap({"/usr/bin/dumpcap", "-i", "lo", "-f", "udp dst port " + std::to_string(port), "-a", "duration:120",
                                  "-w", file.string()},
                                 file.parent_path(), "dumpcap");
  if (!testing::eventually([&] { return dumpcap.err().find("Capturing on") != std::string::npos || !dumpcap.running(); }, 10s) ||
      !dumpcap.running())
    return "dumpcap cannot capture on lo: " + dumpcap.err();
  send();
  std::this_thread::sleep_for(500ms);
  dumpcap.signal(SIGINT);
  (void)dumpcap.wait(10s);
  return fs::exists(file) ? "" : "dumpcap wrote nothing: " + dumpcap.err();
}

sflow_oracle tshark_sflow(const fs::path& capture, std::uint16_t port) {
  sflow_oracle o;
  auto samples = testing::run_command({"/usr/bin/python3", TALAIA_SOURCE_DIR "/tests/data/netflow/sflow_oracle.py", capture.string(),
                                       std::to_string(port)},
                                      60s);
  EXPECT_EQ(samples.code, 0) << samples.err;
  std::istringstream in(samples.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) o.flow_samples.push_back(boost::json::parse(line).as_object());
  auto counts = testing::run_command({"/usr/bin/tshark", "-r", capture.string(), "-d", "udp.port==" + std::to_string(port) + ",sflow",
                                      "-T", "fields", "-e", "sflow_245.numsamples"},
                                     60s);
  std::istringstream c(counts.out);
  for (std::string line; std::getline(c, line);)
    if (!line.empty()) o.samples += std::stoul(line);
  return o;
}

std::string field(const boost::json::object& o, const char* key) { return testing::json_text(o, key); }

// sFlow through the live listener: pmacctd's sfprobe exports the traffic capture to it on
// loopback while dumpcap records the same datagrams; every sample tshark decodes from them is
// on the bus, each flow sample as one flow event with tshark's 5-tuple, interface, frame length
// and sampling rate.
TEST_F(netflow_real_exporter, pmacctd_sfprobe_samples_arrive_as_tshark_decodes_them) {
  if (!fs::exists("/usr/sbin/pmacctd")) GTEST_SKIP() << "pmacctd not installed (Debian package pmacct)";
  if (!fs::exists("/usr/bin/tshark")) GTEST_SKIP() << "tshark not installed";
  running_listener l;
  ASSERT_NE(l.port(), 0);
  const fs::path capture = testing::make_temp_dir("talaia-sflow-capture") / "sflow.pcapng";
  const std::string why = capture_loopback(l.port(), capture, [&] { export_to("sfprobe", 5, l.port()); });
  if (!why.empty()) GTEST_SKIP() << why;
  const sflow_oracle want = tshark_sflow(capture, l.port());
  ASSERT_GT(want.flow_samples.size(), 400u);  // 440 packets, each sampled, less what sfprobe skips
  EXPECT_TRUE(testing::eventually([&] { return l.out.messages().size() >= want.samples; }, 20s));
  l.stop();
  std::vector<boost::json::object> flows;
  for (const auto& [key, value] : l.out.messages()) {
    auto ev = boost::json::parse(value).as_object();
    if (field(ev, "kind") == "flow") flows.push_back(std::move(ev));
  }
  EXPECT_EQ(l.out.messages().size(), want.samples);
  ASSERT_EQ(flows.size(), want.flow_samples.size());
  std::int64_t bytes = 0;
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const auto &ev = flows[i], &w = want.flow_samples[i];
    testing::expect_sflow_sample_as_tshark(ev, w, "sample " + std::to_string(i));
    bytes += std::stoll(field(ev, "bytes"));
  }
  const std::string metrics = l.metrics.render();
  EXPECT_NE(metrics.find("talaia_events_received_total{transport=\"udp\",format=\"netflow\"} " + std::to_string(want.samples)),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("talaia_flow_sequence_gaps_total 0"), std::string::npos) << metrics;
  std::cerr << "sfprobe: " << want.samples << " samples (" << flows.size() << " flow samples, " << bytes << " bytes)\n";
}

// A metric sample's value (0 when absent).
std::uint64_t sample(const core::metrics_registry& m, const std::string& name_and_labels) {
  const std::string text = m.render();
  const auto at = text.find("\n" + name_and_labels + " ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + name_and_labels.size() + 2));
}

// workers: 2 — two sockets on one port (SO_REUSEPORT), each with its own thread and decoder.
// Twelve softflowd runs (each its own exporter socket: v9 and IPFIX, templates and data) are
// spread by the kernel over both workers; since one exporter socket always reaches the same
// worker, its templates meet its data: every flow arrives, none waits for a template, and
// each worker saves the templates it learnt.
TEST_F(netflow_real_exporter, two_workers_keep_each_exporters_templates_with_its_data) {
  if (!fs::exists("/usr/sbin/softflowd")) GTEST_SKIP() << "softflowd not installed (Debian package softflowd)";
  const fs::path state = testing::make_temp_dir("talaia-netflow-workers");
  core::netflow_options_config options;
  options.workers = 2;
  running_listener l(state.string(), options);
  ASSERT_NE(l.port(), 0);
  constexpr int runs = 12;
  for (int k = 0; k < runs; ++k) ASSERT_TRUE(export_to("softflowd", k % 2 ? 10 : 9, l.port()));
  const std::size_t want = runs * (tcp_flows + udp_flows + v6_flows);
  EXPECT_TRUE(testing::eventually([&] { return sum_of(l.out.messages()).flows >= want; }, 30s)) << sum_of(l.out.messages()).flows;
  l.stop();
  const totals t = sum_of(l.out.messages());
  EXPECT_EQ(t.flows, want);
  EXPECT_EQ(t.bytes, runs * (v4_bytes + v6_bytes));
  EXPECT_EQ(t.packets, runs * (v4_packets + v6_packets));
  const auto& m = l.metrics;
  EXPECT_EQ(sample(m, "talaia_events_received_total{transport=\"udp\",format=\"netflow\"}"), want);
  EXPECT_EQ(sample(m, "talaia_flow_held_sets_total"), 0u);
  EXPECT_EQ(sample(m, "talaia_events_discarded_total{reason=\"no_template\",transport=\"netflow\"}"), 0u);
  EXPECT_EQ(sample(m, "talaia_flow_sequence_gaps_total"), 0u);
  const std::string listen = "127.0.0.1:" + std::to_string(l.port());
  const auto w0 = sample(m, "talaia_udp_worker_received_total{listener=\"netflow\",listen=\"" + listen + "\",worker=\"0\"}");
  const auto w1 = sample(m, "talaia_udp_worker_received_total{listener=\"netflow\",listen=\"" + listen + "\",worker=\"1\"}");
  EXPECT_GT(w0, 0u);
  EXPECT_GT(w1, 0u);
  EXPECT_EQ(w0 + w1, sample(m, "talaia_flow_packets_total"));
  std::cerr << "workers: " << w0 << " and " << w1 << " packets\n";
  // Each worker keeps its own template file; a restart (with any worker count) loads them all.
  const std::string port = std::to_string(l.port());
  EXPECT_TRUE(fs::exists(state / ("netflow-templates-" + port + ".txt")));
  EXPECT_TRUE(fs::exists(state / ("netflow-templates-" + port + ".1.txt")));
}

// Decoder limits from the listener's options are honoured there and counted on /metrics.
TEST(netflow_listener, configured_limits_are_counted_on_metrics) {
  core::netflow_options_config options;
  options.max_templates_per_exporter = 2;
  running_listener l({}, options);
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  for (unsigned id = 300; id < 305; ++id) {
    const std::string tmpl = u16(2) + u16(12) + u16(id) + u16(1) + u16(8) + u16(4);
    const std::string msg = u16(10) + u16(static_cast<unsigned>(16 + tmpl.size())) + u32(1772445600) + u32(0) + u32(1) + tmpl;
    s.send_to(asio::buffer(msg), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
  }
  EXPECT_TRUE(testing::eventually([&] { return sample(l.metrics, "talaia_flow_packets_total") == 5; }, 5s));
  EXPECT_EQ(sample(l.metrics, "talaia_flow_template_limit_total"), 3u);
  EXPECT_EQ(sample(l.metrics, "talaia_flow_templates_total"), 5u);  // received, refused ones too
}

// Small turns of the reading thread are decoded on it, a backlog by the decoding thread, bursts
// read on readiness as they come; every record arrives once, in the order sent (whoever decodes
// takes everything queued).
TEST(netflow_listener, small_turns_bursts_and_a_backlog_are_decoded_in_order) {
  running_listener l;
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), l.port());
  unsigned next = 0;  // each record's bytes: its place in the stream
  const auto send = [&](bool with_template) {
    std::string sets = with_template ? u16(2) + u16(16) + u16(300) + u16(2) + u16(8) + u16(4) + u16(1) + u16(4) : "";
    sets += u16(300) + u16(4 + 2 * 8);
    for (int r = 0; r < 2; ++r) sets += u32(0x0A000001) + u32(next++);
    const std::string msg = u16(10) + u16(static_cast<unsigned>(16 + sets.size())) + u32(1772445600) + u32(0) + u32(1) + sets;
    s.send_to(asio::buffer(msg), to);
  };
  const auto small_turns = [&](unsigned packets) {  // one packet a turn: each decoded before the next is sent
    for (unsigned p = 0; p < packets; ++p) {
      send(next == 0);
      const std::size_t want = next;
      ASSERT_TRUE(testing::eventually([&] { return l.out.messages().size() == want; }, 5s)) << "record " << want;
    }
  };
  small_turns(5);
  // A backlog: 300 packets wait in the socket while the reading thread is held up.
  std::promise<void> holding, release;
  asio::post(l.io, [&, held = release.get_future()] {
    holding.set_value();
    held.wait();
  });
  holding.get_future().wait();
  for (unsigned p = 0; p < 300; ++p) send(false);
  release.set_value();
  ASSERT_TRUE(testing::eventually([&] { return l.out.messages().size() == 2 * 305u; }, 10s));
  small_turns(5);
  // Bursts further apart than the reader's linger, as an exporter flushing its cache sends them:
  // after a linger that found nothing, each burst is read on the socket's readiness.
  for (int burst = 0; burst < 10; ++burst) {
    for (unsigned p = 0; p < 20; ++p) send(false);
    std::this_thread::sleep_for(3 * udp_reader::linger);
  }
  ASSERT_TRUE(testing::eventually([&] { return l.out.messages().size() == 2 * 510u; }, 10s));

  const auto messages = l.out.messages();
  ASSERT_EQ(messages.size(), 2 * 510u);
  for (std::size_t i = 0; i < messages.size(); ++i)
    ASSERT_EQ(boost::json::parse(messages[i].second).as_object().at("bytes").as_int64(), static_cast<std::int64_t>(i));
  const auto by_reader = sample(l.metrics, "talaia_flow_packets_decoded_by_reader_total");
  EXPECT_GE(by_reader, 10u);              // the small turns
  EXPECT_LE(by_reader, 510u - 2 * 128u);  // not the backlog's full turns (128 datagrams each)
  EXPECT_EQ(sample(l.metrics, "talaia_flow_packets_total"), 510u);
}

// A packet's records go to the bus together: what the full bus refuses is counted as bus_full,
// what it takes arrives whole, each record with its id as the last member.
TEST(netflow_listener, records_a_full_bus_refuses_are_counted) {
  core::memory_bus bus(5);  // nobody consumes: room for 5 records
  auto producer = bus.make_producer();
  auto consumer = bus.make_consumer("talaia.events");
  asio::io_context io{1};
  event_ids ids{"test", 3};
  core::metrics_registry metrics;
  auto l = listener::bind(io, {{"127.0.0.1", 0}, "talaia.events", {}, {}}, *producer, ids, metrics);
  ASSERT_TRUE(l.ok()) << l.err().message;
  (*l)->start();
  std::thread t([&] { io.run(); });
  std::string set = u16(300) + u16(4 + 8 * 8);
  for (unsigned i = 0; i < 8; ++i) set += u32(0x0A000001 + i) + u32(100 + i);
  const std::string sets = u16(2) + u16(16) + u16(300) + u16(2) + u16(8) + u16(4) + u16(1) + u16(4) + set;
  const std::string msg = u16(10) + u16(static_cast<unsigned>(16 + sets.size())) + u32(1772445600) + u32(0) + u32(1) + sets;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  s.send_to(asio::buffer(msg), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), (*l)->port()));
  const bool counted = testing::eventually(
      [&] { return sample(metrics, "talaia_events_discarded_total{reason=\"bus_full\",transport=\"netflow\"}") == 3; }, 5s);
  (*l)->stop();
  io.stop();
  t.join();
  EXPECT_TRUE(counted);
  for (unsigned i = 0; i < 5; ++i) {
    const auto m = consumer->poll(100ms);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->key, "127.0.0.1");
    const auto ev = boost::json::parse(m->value.view()).as_object();
    EXPECT_EQ(ev.at("bytes").as_int64(), 100 + i);
    EXPECT_EQ(std::string(ev.at("id").as_string()).rfind("test-", 0), 0u) << m->value;
    EXPECT_EQ(m->value.view().rfind(",\"id\":"), m->value.view().find(",\"id\":"));  // one id
  }
  EXPECT_FALSE(consumer->poll(10ms));
}

// SO_REUSEPORT would let a second collector on the same port take half the datagrams silently:
// a listener whose workers find another socket on their address and port refuses to start.
TEST(netflow_listener, a_second_listener_with_workers_cannot_share_the_port) {
  core::netflow_options_config options;
  options.workers = 2;
  running_listener first({}, options);
  ASSERT_NE(first.port(), 0);
  asio::io_context io;
  recording_producer out;
  event_ids ids{"test", 3};
  core::metrics_registry metrics;
  auto second = listener::bind(io, {{"127.0.0.1", first.port()}, "talaia.events", {}, options}, out, ids, metrics);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.err().message.find("already bound by another socket"), std::string::npos) << second.err().message;
  // Without workers (no SO_REUSEPORT) the kernel refuses the port itself.
  auto plain = listener::bind(io, {{"127.0.0.1", first.port()}, "talaia.events", {}, {}}, out, ids, metrics);
  EXPECT_FALSE(plain.ok());
}

}  // namespace
}  // namespace talaia::collectors::netflow
