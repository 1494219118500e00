// Correlate stage, one core: detections per CPU-second with GROUPS active groups (every group's
// window open at once), and bytes of state per group.
//   correlate_bench run RULES GROUPS ROUNDS     ours: prints figures
//   correlate_bench write FILE GROUPS ROUNDS    the same stream as NDJSON events, for rsigma
// The stream: ROUNDS rounds; in each, one failed login per group (src_ip), the round spread over
// one minute of event time, so with a 10-minute timespan every group stays open throughout.
// Figures: the engine alone (correlator::apply on decoded detections), and the Kafka stage's
// work per message (decode the detection, apply, encode incident changes, take the state
// changes after every batch of 1,000 as the transaction would). State bytes: resident memory
// growth per group (as rsigma's is measured: the process allocates with mimalloc, as talaia does,
// so glibc's mallinfo2 sees none of it), and the serialized state records per group.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>

#include "bench/cpu_time.hpp"
#include "core/clock.hpp"
#include "core/incident.hpp"
#include "correlator/correlate.hpp"
#include "correlator/detect.hpp"
#include "correlator/partitioned_correlate.hpp"
#include "rules/loader.hpp"

using namespace talaia;

namespace {

// Resident bytes of this process (/proc/self/statm).
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

constexpr std::int64_t base_time = 1'790'000'000'000'000;  // microseconds, 2026-09

std::string ip_of(int g) {
  return "10." + std::to_string((g >> 16) & 255) + "." + std::to_string((g >> 8) & 255) + "." + std::to_string(g & 255);
}
std::int64_t time_of(int g, int round, int groups) {
  return base_time + round * 60'000'000LL + static_cast<std::int64_t>(g) * 60'000'000LL / groups;
}
std::string event_json(int g, int round) {
  return R"({"id":"e)" + std::to_string(g) + "-" + std::to_string(round) + R"(","kind":"syslog","app_name":"sshd",)"
         R"("message":"Failed password for root from )" + ip_of(g) + R"( port 4242 ssh2","src_ip":")" + ip_of(g) + "\"}";
}

std::shared_ptr<const correlator::correlation_set> load(const std::string& path, std::string& fail_rule) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto loaded = rules::load_text(text.str(), path);
  auto errors = loaded.errors;
  for (const auto& r : loaded.rules) fail_rule = r.id;
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  auto c = correlator::load_correlations_text(text.str(), path);
  auto out = correlator::correlation_set::build(std::move(c.correlations), c.names, (*set)->rules(), errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", rules::to_string(e).c_str());
  return out;
}

int write(const std::string& file, int groups, int rounds) {
  std::ofstream out(file);
  for (int r = 0; r < rounds; ++r)
    for (int g = 0; g < groups; ++g) {
      std::string ev = event_json(g, r);
      ev.pop_back();
      out << ev << R"(,"timestamp":")" << core::format_rfc3339(time_of(g, r, groups)) << "\"}\n";
    }
  return 0;
}

int run(const std::string& rules_path, int groups, int rounds) {
  std::string fail_rule;
  auto set = load(rules_path, fail_rule);
  if (set->correlations().empty()) return std::fprintf(stderr, "no correlation rule in %s\n", rules_path.c_str()), 2;
  const auto& corr = set->correlations()[0];
  std::vector<core::detection> stream;
  stream.reserve(static_cast<std::size_t>(groups) * rounds);
  for (int r = 0; r < rounds; ++r)
    for (int g = 0; g < groups; ++g) {
      core::detection d;
      d.rule = {fail_rule, "fail", "low", "bench", {}};
      d.correlation = corr.key();
      d.group = {{"src_ip", ip_of(g)}};
      d.time = time_of(g, r, groups);
      d.event_json = event_json(g, r);
      stream.push_back(std::move(d));
    }
  correlator::correlate_settings settings;
  settings.engine.max_groups_per_rule = static_cast<std::size_t>(groups) * 2;
  const double n = static_cast<double>(stream.size());

  // 1. The engine alone, on decoded detections.
  std::size_t resident_before = resident_bytes();
  double t0 = bench::cpu_seconds();
  std::uint64_t changes = 0;
  {
    correlator::correlator c(settings, set);
    std::vector<correlator::correlator::change> out;
    for (const auto& d : stream) {
      out.clear();
      c.apply(d, out);
      changes += out.size();
    }
    const double t = bench::cpu_seconds() - t0;
    const std::size_t resident = resident_bytes() - resident_before;
    const std::size_t open_groups = c.engine().group_count();
    std::printf("engine: %.0f detections, %.3f CPU-s -> %.0f detections/CPU-s; %zu groups, %zu open incidents, "
                "%llu incident changes; RSS +%.0f bytes/group\n",
                n, t, n / t, open_groups, c.tracker().open_incidents().size(),
                static_cast<unsigned long long>(changes), static_cast<double>(resident) / open_groups);
  }

  // 2. The Kafka stage's work per message.
  std::vector<core::message> messages;
  messages.reserve(stream.size());
  for (const auto& d : stream)
    messages.push_back({"detections", correlator::detection_key(d), core::encode_detection(d), 0,
                        static_cast<std::int64_t>(messages.size())});
  stream.clear();
  stream.shrink_to_fit();
  correlator::partitioned_correlate stage(settings, set, {});
  stage.assign(0, {});
  std::vector<std::pair<std::string, std::string>> incidents;
  std::size_t state_bytes = 0, records = 0;
  std::unordered_map<std::string, std::size_t> sizes;  // record key -> its latest serialized size (not timed)
  double t = 0;
  for (std::size_t from = 0; from < messages.size(); from += 1000) {
    const std::size_t to = std::min(messages.size(), from + 1000);
    t0 = bench::cpu_seconds();
    for (std::size_t i = from; i < to; ++i) {
      incidents.clear();
      stage.handle(messages[i], incidents);
    }
    auto changed = stage.take_changes(0);
    t += bench::cpu_seconds() - t0;
    for (const auto& [key, value] : changed) {
      ++records;
      sizes[key] = value ? key.size() + value->size() : 0;
    }
  }
  for (const auto& [key, size] : sizes) state_bytes += size;
  std::printf("stage: %.0f detections, %.3f CPU-s -> %.0f detections/CPU-s; %zu state records written; "
              "serialized state %.0f bytes/group\n",
              n, t, n / t, records, static_cast<double>(state_bytes) / groups);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s run RULES GROUPS ROUNDS | write FILE GROUPS ROUNDS\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  const int groups = std::stoi(argv[3]), rounds = std::stoi(argv[4]);
  if (mode == "write") return write(argv[2], groups, rounds);
  return run(argv[2], groups, rounds);
}
