// The collectors inside `talaia run` as a user starts it: the shipped deploy/talaia.yaml starts,
// and with `workers: 2` on the syslog and NetFlow listeners every message and flow record sent
// by real senders (logger, loggen, softflowd, pmacctd's sfprobe) is counted through to the bus.
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>
#include <thread>

#include "tests/integration/pipeline_fixture.hpp"
#include "tests/support/metrics_probe.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;


bool healthy(std::uint16_t api_port) {
  return alerts::http_get("http://127.0.0.1:" + std::to_string(api_port) + "/healthz", 1s).ok();
}

TEST(deploy_config, talaia_run_starts_with_it_and_stops_cleanly) {
  const fs::path dir = make_temp_dir("talaia-deploy-config");
  const std::uint16_t api = free_port();
  child_process talaia({talaia_binary(), "run", "--config", source_dir() + "/deploy/talaia.yaml", "--rules", source_dir() + "/deploy/rules",
                        "--data-dir", (dir / "data").string(), "--syslog", "127.0.0.1:" + std::to_string(free_port()), "--netflow",
                        "127.0.0.1:" + std::to_string(free_port()), "--api", "127.0.0.1:" + std::to_string(api)},
                       dir, "talaia");
  ASSERT_TRUE(eventually([&] { return healthy(api) || !talaia.running(); }, 30s)) << talaia.err();
  ASSERT_TRUE(talaia.running()) << talaia.err();
  talaia.signal(SIGTERM);
  EXPECT_EQ(talaia.wait(30s), std::optional<int>(0)) << talaia.err();
}

// dumpcap on lo records the datagrams sent to `port` while `send` runs; tshark then counts
// the sFlow samples in them. -1 when no capture can be made here.
long long sflow_samples_seen_by_tshark(std::uint16_t port, const fs::path& dir, const std::function<void()>& send) {
  if (!fs::exists("/usr/bin/dumpcap") || !fs::exists("/usr/bin/tshark")) return -1;
  const fs::path file = dir / "sflow.pcapng";
  child_process dumpcap({"/usr/bin/dumpcap", "-i", "lo", "-f", "udp dst port " + std::to_string(port), "-a", "duration:120", "-w", file.string()},
                        dir, "dumpcap");
  if (!eventually([&] { return dumpcap.err().find("Capturing on") != std::string::npos || !dumpcap.running(); }, 10s) || !dumpcap.running())
    return -1;
  send();
  std::this_thread::sleep_for(500ms);
  dumpcap.signal(SIGINT);
  (void)dumpcap.wait(10s);
  auto r = run_command({"/usr/bin/tshark", "-r", file.string(), "-d", "udp.port==" + std::to_string(port) + ",sflow", "-T", "fields", "-e",
                        "sflow_245.numsamples"},
                       60s);
  if (r.code != 0) return -1;
  long long samples = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) samples += std::stoll(line);
  return samples;
}

TEST(collectors_workers, two_workers_per_listener_carry_every_message_and_flow_to_the_bus) {
  const fs::path dir = make_temp_dir("talaia-workers-run");
  const std::string gen = source_dir() + "/../shared/tools/gen_traffic.py";
  const bool flows = fs::exists(gen) && fs::exists("/usr/sbin/softflowd") &&
                     run_command({"/usr/bin/python3", gen, "100", "50", "20", (dir / "traffic.pcap").string()}, 60s).code == 0;
  const std::uint16_t syslog = free_port(), netflow = free_port(), sflow = free_port(), api = free_port();
  write_file(dir / "talaia.yaml", "syslog:\n  listen: 127.0.0.1:" + std::to_string(syslog) +
                                      "\n  workers: 2\n"
                                      "netflow:\n  listen: [127.0.0.1:" + std::to_string(netflow) + ", 127.0.0.1:" + std::to_string(sflow) +
                                      "]\n  workers: 2\n");
  child_process talaia({talaia_binary(), "run", "--config", (dir / "talaia.yaml").string(), "--rules", test_rules_dir(), "--data-dir",
                        (dir / "data").string(), "--api", "127.0.0.1:" + std::to_string(api)},
                       dir, "talaia");
  ASSERT_TRUE(eventually([&] { return healthy(api) || !talaia.running(); }, 30s)) << talaia.err();
  ASSERT_NE(talaia.err().find("workers=2 listening on udp and tcp"), std::string::npos) << talaia.err();

  // Syslog: 16 logger processes (a socket, so a source port, each) x 50 lines, and loggen
  // with 4 connections x 1,000 messages.
  long long messages = 0;
  std::string lines;
  for (int i = 0; i < 50; ++i) lines += "workers test line " + std::to_string(i) + "\n";
  write_file(dir / "lines.txt", lines);
  for (int k = 0; k < 16; ++k) {
    auto r = run_command({"logger", "-d", "--rfc5424", "-n", "127.0.0.1", "-P", std::to_string(syslog), "-t", "w" + std::to_string(k), "-f",
                          (dir / "lines.txt").string()},
                         30s);
    ASSERT_EQ(r.code, 0) << r.err;
    messages += 50;
  }
  if (fs::exists("/usr/bin/loggen")) {
    auto r = run_command({"loggen", "-i", "-D", "-P", "-s", "256", "-r", "20000", "-n", "1000", "--active-connections", "4", "127.0.0.1",
                          std::to_string(syslog)},
                         60s);
    ASSERT_EQ(r.code, 0) << r.err;
    messages += 4000;
  }
  const std::string syslog_udp = "talaia_events_received_total{transport=\"udp\",format=\"syslog\"}";
  EXPECT_TRUE(eventually([&] { return metric_sample(api, syslog_udp) == messages; }, 20s)) << metric_sample(api, syslog_udp) << " of " << messages;

  // Flows: softflowd exports the capture 12 times (v9 and IPFIX, a new exporter socket each
  // time, so that both workers get some: all on one has odds of 1 in 2,048), 170 flows each;
  // pmacctd's sfprobe exports it as sFlow, counted by tshark.
  long long records = 0;
  if (flows) {
    for (int k = 0; k < 12; ++k) {
      auto r = run_command({"/usr/sbin/softflowd", "-r", (dir / "traffic.pcap").string(), "-n", "127.0.0.1:" + std::to_string(netflow), "-v",
                            k % 2 ? "10" : "9", "-d", "-c", "none"},
                           60s);
      ASSERT_EQ(r.code, 0) << r.err;
      records += 170;
    }
    if (fs::exists("/usr/sbin/pmacctd")) {
      write_file(dir / "sfprobe.conf", "daemonize: false\npcap_savefile: " + (dir / "traffic.pcap").string() +
                                           "\nplugins: sfprobe\nsfprobe_receiver: 127.0.0.1:" + std::to_string(sflow) +
                                           "\nsfprobe_agentip: 127.0.0.1\nsampling_rate: 1\n");
      const long long samples = sflow_samples_seen_by_tshark(sflow, dir, [&] {
        (void)run_command({"/usr/sbin/pmacctd", "-f", (dir / "sfprobe.conf").string()}, 60s);
      });
      if (samples >= 0) {
        EXPECT_GT(samples, 400);
        records += samples;
      }
    }
  }
  const std::string flow_records = "talaia_events_received_total{transport=\"udp\",format=\"netflow\"}";
  EXPECT_TRUE(eventually([&] { return metric_sample(api, flow_records) == records; }, 20s)) << metric_sample(api, flow_records) << " of " << records;
  // Through the bus: nothing dropped, and the detect stage sees every event.
  EXPECT_EQ(metric_sample(api, "talaia_events_discarded_total{reason=\"bus_full\",transport=\"udp\"}"), 0);
  EXPECT_EQ(metric_sample(api, "talaia_events_discarded_total{reason=\"bus_full\",transport=\"netflow\"}"), 0);
  EXPECT_EQ(metric_sample(api, "talaia_events_discarded_total{reason=\"no_template\",transport=\"netflow\"}"), 0);
  EXPECT_TRUE(eventually([&] { return metric_sample(api, "talaia_detect_events_total") == messages + records; }, 20s))
      << metric_sample(api, "talaia_detect_events_total") << " of " << messages + records;
  for (const auto& [name, port] : {std::pair{"syslog", syslog}, std::pair{"netflow", netflow}}) {
    for (int w = 0; w < 2; ++w) {
      const auto n = metric_sample(api, std::string("talaia_udp_worker_received_total{listener=\"") + name + "\",listen=\"127.0.0.1:" +
                                     std::to_string(port) + "\",worker=\"" + std::to_string(w) + "\"}");
      std::cerr << name << " worker " << w << ": " << n << " datagrams\n";
      if (std::string(name) == "syslog" || flows) {
        EXPECT_GT(n, 0) << name << " worker " << w;
      }
    }
  }
  talaia.signal(SIGTERM);
  EXPECT_EQ(talaia.wait(30s), std::optional<int>(0)) << talaia.err();
}

}  // namespace
}  // namespace talaia::testing
