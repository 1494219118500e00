// `talaia run` as a user runs it, with softflowd exporting a generated traffic capture into its
// NetFlow listener on 127.0.0.1: every flow is counted on /metrics, and the templates are kept
// in the data folder across a restart.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

#include "alerts/http_client.hpp"
#include "tests/support/metrics_probe.hpp"
#include "tests/support/process.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;


const std::string flows_received = "talaia_events_received_total{transport=\"udp\",format=\"netflow\"}";

TEST(netflow_embedded_run, softflowd_exports_arrive_and_templates_survive_a_restart) {
  const std::string gen = source_dir() + "/../shared/tools/gen_traffic.py";
  if (!fs::exists(gen)) GTEST_SKIP() << "shared/tools not present";
  if (!fs::exists("/usr/sbin/softflowd")) GTEST_SKIP() << "softflowd not installed (Debian package softflowd)";
  const fs::path dir = make_temp_dir("talaia-netflow-run");
  auto g = run_command({"/usr/bin/python3", gen, "100", "50", "20", (dir / "traffic.pcap").string()}, 60s);
  if (g.code != 0) GTEST_SKIP() << "gen_traffic.py failed (python3-scapy installed?): " << g.err;

  const std::uint16_t syslog_port = free_port(), netflow_port = free_port(), api_port = free_port();
  const std::vector<std::string> argv = {talaia_binary(), "run", "--data-dir", (dir / "data").string(), "--rules",
                                         source_dir() + "/tests/data/pipeline/rules", "--syslog",
                                         "127.0.0.1:" + std::to_string(syslog_port), "--netflow",
                                         "127.0.0.1:" + std::to_string(netflow_port), "--api",
                                         "127.0.0.1:" + std::to_string(api_port)};
  {
    child_process talaia(argv, dir, "talaia-1");
    ASSERT_TRUE(eventually([&] { return metric_sample(api_port, flows_received) == 0; }, 30s)) << talaia.err();
    for (const char* version : {"9", "10"}) {
      auto r = run_command({"/usr/sbin/softflowd", "-r", (dir / "traffic.pcap").string(), "-n",
                            "127.0.0.1:" + std::to_string(netflow_port), "-v", version, "-d", "-c", "none"},
                           60s);
      ASSERT_EQ(r.code, 0) << r.err;
    }
    // 170 flows each (100 TCP, 50 UDP, 20 IPv6 UDP), no sequence gap.
    EXPECT_TRUE(eventually([&] { return metric_sample(api_port, flows_received) == 340; }, 20s))
        << metric_sample(api_port, flows_received) << "\n" << talaia.err();
    EXPECT_EQ(metric_sample(api_port, "talaia_flow_sequence_gaps_total"), 0);
    talaia.signal(SIGTERM);
    ASSERT_EQ(talaia.wait(30s), std::optional<int>(0)) << talaia.err();
  }
  const fs::path saved = dir / "data" / "netflow" / ("netflow-templates-" + std::to_string(netflow_port) + ".txt");
  ASSERT_TRUE(fs::exists(saved));
  EXPECT_NE(read_file(saved).find("127.0.0.1"), std::string::npos);

  child_process again(argv, dir, "talaia-2");
  ASSERT_TRUE(eventually([&] { return metric_sample(api_port, flows_received) == 0; }, 30s)) << again.err();
  std::smatch m;
  const std::string err = again.err();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("templates=([0-9]+) templates restored"))) << err;
  EXPECT_GE(std::stoi(m[1]), 6);  // softflowd's v9 and IPFIX templates (3 each, options included)
  again.signal(SIGTERM);
  EXPECT_EQ(again.wait(30s), std::optional<int>(0));
}

}  // namespace
}  // namespace talaia::testing
