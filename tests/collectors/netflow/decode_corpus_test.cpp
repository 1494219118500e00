// `talaia decode CAPTURE` against tshark's decoding of the same capture (the oracle files made
// by shared/tools/netflow_oracle.py), record for record: addresses, ports, protocol, bytes,
// packets, times and sampling. Every oracle file is checked: the shared corpus's own, and
// tests/data/netflow's for the corpus's pcapng exports.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/sflow_oracle.hpp"

namespace talaia::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path corpus_dir = TALAIA_SOURCE_DIR "/../shared/corpus/netflow";
const fs::path local_oracles = TALAIA_SOURCE_DIR "/tests/data/netflow";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string str(const json::object& o, const char* key) { return json_text(o, key); }

// "Nov 14, 2023 22:13:20.002000000 UTC" -> microseconds since the epoch.
std::int64_t tshark_time(const std::string& s) {
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%b %d, %Y %H:%M:%S");
  double frac = 0;
  if (in.peek() == '.') in >> frac;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000000 + std::llround(frac * 1e6);
}

// "2026-03-02T09:59:50.000000Z" -> microseconds since the epoch (0 when empty).
std::int64_t rfc3339_micros(const std::string& s) {
  if (s.empty()) return 0;
  std::tm tm{};
  std::istringstream in(s);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  double frac = 0;
  if (in.peek() == '.') in >> frac;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000000 + std::llround(frac * 1e6);
}

std::int64_t seconds_to_micros(const std::string& s) { return std::llround(std::stod(s) * 1e6); }

struct oracle_case {
  fs::path capture, oracle;
};
void PrintTo(const oracle_case& c, std::ostream* os) { *os << c.capture.filename(); }

std::vector<oracle_case> oracle_cases() {
  std::vector<oracle_case> cases;
  for (const auto& dir : {corpus_dir, local_oracles}) {
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      const std::string suffix = ".oracle.jsonl";
      if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) continue;
      const std::string stem = name.substr(0, name.size() - suffix.size());
      for (const char* ext : {".pcap", ".pcapng"})
        if (fs::exists(corpus_dir / (stem + ext))) cases.push_back({corpus_dir / (stem + ext), e.path()});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.capture < b.capture; });
  return cases;
}

// The oracle's flow data records (options data configures and is left out), with the sampling
// rate and system init time the oracle's own options data gives for them.
struct expected_record {
  json::object header, fields;
  std::uint64_t sampling = 0;
  std::int64_t system_init = -1;
};

std::vector<expected_record> expected_records(const fs::path& oracle) {
  std::set<std::string> options_templates;
  std::map<std::string, std::map<std::string, std::uint64_t>> sampling;  // stream -> selector -> rate
  std::map<std::string, std::int64_t> system_init;
  std::vector<expected_record> out;
  std::istringstream in(read_file(oracle));
  for (std::string line; std::getline(in, line);) {
    const json::object o = json::parse(line).as_object();
    const std::string stream = str(o, "exporter") + "|" + str(o, "sport") + "|" + str(o, "version") + "|" + str(o, "domain");
    if (str(o, "kind") == "template") {
      if (str(o, "rec").rfind("Options Template", 0) == 0) options_templates.insert(stream + "|" + str(o, "template_id"));
      continue;
    }
    const json::object& f = o.at("fields").as_object();
    if (options_templates.count(stream + "|" + str(o, "set_id"))) {
      auto num = [&](const char* k) { return f.contains(k) ? std::stoull(str(f, k)) : 0ull; };
      std::uint64_t rate = 0;
      if (num("cflow.sampling_size") && num("cflow.sampling_population")) rate = num("cflow.sampling_population") / num("cflow.sampling_size");
      else if (num("cflow.sampling_packet_interval") && f.contains("cflow.sampling_packet_space"))
        rate = (num("cflow.sampling_packet_interval") + num("cflow.sampling_packet_space")) / num("cflow.sampling_packet_interval");
      else if (num("cflow.sampling_interval")) rate = num("cflow.sampling_interval");
      if (rate) sampling[stream][f.contains("cflow.selector_id") ? str(f, "cflow.selector_id") : str(f, "cflow.sampler_id")] = rate;
      if (f.contains("cflow.sys_init_time")) system_init[stream] = tshark_time(str(f, "cflow.sys_init_time"));
      continue;
    }
    expected_record r{o, f};
    if (auto s = sampling.find(stream); s != sampling.end()) {
      const std::string selector = f.contains("cflow.selector_id") ? str(f, "cflow.selector_id") : str(f, "cflow.sampler_id");
      if (auto it = s->second.find(selector); it != s->second.end()) r.sampling = it->second;
      else if (auto any = s->second.find(""); any != s->second.end()) r.sampling = any->second;
    }
    if (auto it = system_init.find(stream); it != system_init.end()) r.system_init = it->second;
    out.push_back(std::move(r));
  }
  return out;
}

void check_record(const expected_record& want, const json::object& ev, const std::string& where) {
  const auto& f = want.fields;
  auto has = [&](const char* k) { return f.contains(k); };
  EXPECT_EQ(str(ev, "kind"), "flow") << where;
  EXPECT_EQ(str(ev, "exporter"), str(want.header, "exporter")) << where;
  EXPECT_EQ(str(ev, "flow_version"), str(want.header, "version")) << where;
  if (str(want.header, "version") != "5") {
    EXPECT_EQ(str(ev, "observation_domain"), str(want.header, "domain")) << where;
  }
  EXPECT_EQ(str(ev, "src_ip"), has("cflow.srcaddr") ? str(f, "cflow.srcaddr") : str(f, "cflow.srcaddrv6")) << where;
  EXPECT_EQ(str(ev, "dst_ip"), has("cflow.dstaddr") ? str(f, "cflow.dstaddr") : str(f, "cflow.dstaddrv6")) << where;
  EXPECT_EQ(str(ev, "src_port"), str(f, "cflow.srcport")) << where;
  EXPECT_EQ(str(ev, "dst_port"), str(f, "cflow.dstport")) << where;
  EXPECT_EQ(str(ev, "proto"), str(f, "cflow.protocol")) << where;
  const std::uint64_t octets = std::stoull(str(f, "cflow.octets")), packets = std::stoull(str(f, "cflow.packets"));
  if (want.sampling > 1) {
    EXPECT_EQ(str(ev, "sampling_rate"), std::to_string(want.sampling)) << where;
    EXPECT_EQ(str(ev, "bytes_raw"), std::to_string(octets)) << where;
    EXPECT_EQ(str(ev, "packets_raw"), std::to_string(packets)) << where;
    EXPECT_EQ(str(ev, "bytes"), std::to_string(octets * want.sampling)) << where;
    EXPECT_EQ(str(ev, "packets"), std::to_string(packets * want.sampling)) << where;
  } else {
    EXPECT_FALSE(ev.contains("sampling_rate")) << where;
    EXPECT_EQ(str(ev, "bytes"), std::to_string(octets)) << where;
    EXPECT_EQ(str(ev, "packets"), std::to_string(packets)) << where;
  }
  // Times: absolute ones exactly; uptime ones anchored on the system init time where the
  // exporter sent one, else (v5, v9) as the same duration, else (IPFIX) as raw uptimes.
  if (has("cflow.abstimestart")) {
    EXPECT_EQ(rfc3339_micros(str(ev, "start")), tshark_time(str(f, "cflow.abstimestart"))) << where;
    EXPECT_EQ(rfc3339_micros(str(ev, "end")), tshark_time(str(f, "cflow.abstimeend"))) << where;
  } else if (has("cflow.timestart")) {
    const std::int64_t t0 = seconds_to_micros(str(f, "cflow.timestart")), t1 = seconds_to_micros(str(f, "cflow.timeend"));
    if (str(want.header, "version") != "10") {
      EXPECT_EQ(rfc3339_micros(str(ev, "end")) - rfc3339_micros(str(ev, "start")), t1 - t0) << where;
    } else if (want.system_init >= 0) {
      EXPECT_EQ(rfc3339_micros(str(ev, "start")), want.system_init + t0) << where;
      EXPECT_EQ(rfc3339_micros(str(ev, "end")), want.system_init + t1) << where;
    } else {
      EXPECT_EQ(str(ev, "start_uptime_ms"), std::to_string(t0 / 1000)) << where;
      EXPECT_EQ(str(ev, "end_uptime_ms"), std::to_string(t1 / 1000)) << where;
    }
  }
}

class decode_corpus : public ::testing::TestWithParam<oracle_case> {};

TEST_P(decode_corpus, agrees_with_tshark_record_for_record) {
  const oracle_case& c = GetParam();
  const auto want = expected_records(c.oracle);
  ASSERT_FALSE(want.empty()) << c.oracle;
  auto r = run_command({talaia_binary(), "decode", c.capture.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<json::object> flows;
  for (const auto& line : lines_of(r.out)) {
    json::object ev = json::parse(line).as_object();
    if (str(ev, "kind") == "flow") flows.push_back(std::move(ev));
  }
  ASSERT_EQ(flows.size(), want.size()) << c.capture << "\n" << r.err;
  for (std::size_t i = 0; i < want.size(); ++i)
    check_record(want[i], flows[i], c.capture.filename().string() + " record " + std::to_string(i) + " (frame " +
                                        str(want[i].header, "frame") + ")");
}

std::string case_name(const ::testing::TestParamInfo<oracle_case>& info) {
  std::string n = info.param.capture.filename().string();
  for (auto& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(every_oracle_file, decode_corpus, ::testing::ValuesIn(oracle_cases()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(decode_corpus);

// sFlow v5 from pmacctd's sfprobe (exporting shared/tools/gen_traffic.py's capture, 1 in 1),
// against tshark's sFlow decoder (tests/data/netflow/sflow_oracle.py): one flow event per flow
// sample, with the sampled header's 5-tuple, frame length and sampling rate.
TEST(decode_sflow, agrees_with_tshark_sample_for_sample) {
  const fs::path capture = local_oracles / "export_pmacctd_sflow.pcapng";
  std::vector<json::object> want;
  for (const auto& line : lines_of(read_file(local_oracles / "export_pmacctd_sflow.sflow-oracle.jsonl")))
    want.push_back(json::parse(line).as_object());
  ASSERT_GT(want.size(), 400u);
  auto r = run_command({talaia_binary(), "decode", capture.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<json::object> flows;
  for (const auto& line : lines_of(r.out)) {
    json::object ev = json::parse(line).as_object();
    if (str(ev, "kind") == "flow") flows.push_back(std::move(ev));
  }
  ASSERT_EQ(flows.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& w = want[i];
    const auto& ev = flows[i];
    const std::string where = "sample " + std::to_string(i);
    expect_sflow_sample_as_tshark(ev, w, where);
    EXPECT_EQ(std::stoll(str(ev, "bytes")), std::stoll(str(w, "frame_length")) * std::stoll(str(w, "sampling_rate"))) << where;
  }
}

// A classic pcap with one UDP datagram per payload, sent from 192.0.2.7:40000 to `port`.
std::string pcap_of(const std::vector<std::string>& payloads, std::uint16_t port) {
  auto le32 = [](std::uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; };
  auto be16 = [](std::uint32_t v) { return std::string{char(v >> 8), char(v)}; };
  std::string file = le32(0xa1b2c3d4) + std::string{2, 0, 4, 0} + le32(0) + le32(0) + le32(65535) + le32(101);  // raw IP
  std::uint32_t t = 1772445600;
  for (const auto& p : payloads) {
    std::string ip = std::string("\x45\x00", 2) + be16(static_cast<std::uint32_t>(28 + p.size())) + std::string(4, '\0') +
                     std::string("\x40\x11\x00\x00\xC0\x00\x02\x07\xC0\x00\x02\x01", 12) + be16(40000) + be16(port) +
                     be16(static_cast<std::uint32_t>(8 + p.size())) + be16(0) + p;
    file += le32(t++) + le32(0) + le32(static_cast<std::uint32_t>(ip.size())) + le32(static_cast<std::uint32_t>(ip.size())) + ip;
  }
  return file;
}

// Syslog in a capture, on a port no one would guess, is recognised by its content: `decode`
// prints it as a syslog event and `replay` runs it through the rules.
TEST(decode_capture, syslog_datagrams_on_any_port_are_recognised_and_replayed) {
  const fs::path dir = make_temp_dir("talaia-decode-capture");
  const std::string line = "<34>Oct 11 22:14:15 web1 sshd[42]: intrusion-marker seen from 203.0.113.9";
  write_file(dir / "syslog.pcap", pcap_of({line, std::string("\x01\x02\x03", 3)}, 31337));
  auto d = run_command({talaia_binary(), "decode", (dir / "syslog.pcap").string()});
  ASSERT_EQ(d.code, 0) << d.err;
  const auto lines = lines_of(d.out);
  ASSERT_EQ(lines.size(), 1u) << d.out;  // the unrecognised datagram is only counted
  const auto ev = json::parse(lines[0]).as_object();
  EXPECT_EQ(str(ev, "hostname"), "web1");
  EXPECT_NE(str(ev, "raw").find("intrusion-marker"), std::string::npos);
  EXPECT_NE(d.err.find("syslog 1"), std::string::npos) << d.err;
  EXPECT_NE(d.err.find("unknown 1"), std::string::npos) << d.err;
  auto r = run_command({talaia_binary(), "replay", "--rules", source_dir() + "/tests/data/pipeline/rules", (dir / "syslog.pcap").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0b7f5e2a-7c1d-4a8e-9f3b-2d6c8e1a4b01"), std::string::npos) << r.out << r.err;
}

TEST(decode_corpus_files, every_capture_of_the_corpus_has_an_oracle) {
  if (!fs::exists(corpus_dir)) GTEST_SKIP() << "shared corpus not present at " << corpus_dir;
  std::set<fs::path> checked;
  for (const auto& c : oracle_cases()) checked.insert(c.capture);
  for (const auto& e : fs::directory_iterator(corpus_dir)) {
    const auto ext = e.path().extension();
    if (ext == ".pcap" || ext == ".pcapng") {
      EXPECT_TRUE(checked.count(e.path())) << e.path() << " has no oracle file";
    }
  }
  EXPECT_GE(checked.size(), 7u);
}

}  // namespace
}  // namespace talaia::testing
