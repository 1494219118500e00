// Subcommands that read files instead of sockets, through the same parse, detect and correlate
// code as the daemon: replay, decode, rules check.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "app/commands.hpp"
#include "app/startup.hpp"
#include "collectors/syslog/parser.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "correlator/correlate.hpp"
#include "correlator/detect.hpp"
#include "rules/loader.hpp"

namespace talaia::app {

namespace {

// Calls fn(line, line_number) for each line of each file; a missing file is an error.
core::result<void> for_each_line(const std::vector<std::string>& files,
                                 const std::function<void(const std::string& file, std::string_view line, std::size_t number)>& fn) {
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return core::make_error(file + ": cannot read");
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      fn(file, line, number);
    }
  }
  return {};
}

// A captured line as an event. For reproducible output the receive time is the event's own
// time and the id names the file and line.
core::event replayed_event(const std::string& file, std::string_view line, std::size_t number, std::int64_t now) {
  core::event ev;
  ev.set_string("id", "replay:" + std::filesystem::path(file).filename().string() + ":" + std::to_string(number));
  collectors::syslog::parse_context ctx;
  ctx.received_micros = now;
  collectors::syslog::parse(line, ctx, ev);
  if (const auto* ts = ev.find("timestamp"); ts && ts->type == core::field_type::time) ev.set_time("received", ts->number);
  return ev;
}

}  // namespace

int replay(const core::config& cfg, const std::vector<std::string>& files) {
  auto rules = load_rule_set(cfg.rules);
  if (!rules) return fail(rules.err());
  correlator::detect_settings ds{cfg.group_by, cfg.kafka.detections_topic, cfg.kafka.dead_letter_topic};
  auto detector = correlator::detector::make(*rules, ds);
  if (!detector) return fail(detector.err());
  correlator::correlator correlate({cfg.quiet_period, cfg.max_evidence, cfg.kafka.incidents_topic});
  std::map<std::string, core::incident> incidents;  // id -> final state
  std::vector<core::detection> found;
  const std::int64_t now = core::now_micros();
  auto r = for_each_line(files, [&](const std::string& file, std::string_view line, std::size_t number) {
    if (line.empty()) return;
    core::event ev = replayed_event(file, line, number, now);
    found.clear();
    detector->detect(ev, core::encode_event(ev), found);
    for (const auto& d : found) {
      auto c = correlate.apply(d);
      if (!c.duplicate) incidents[c.incident->id] = *c.incident;
    }
  });
  if (!r) return fail(r.err());
  std::vector<const core::incident*> ordered;
  for (const auto& [id, inc] : incidents) ordered.push_back(&inc);
  std::sort(ordered.begin(), ordered.end(), [](const core::incident* a, const core::incident* b) {
    return std::tie(a->first_seen, a->id) < std::tie(b->first_seen, b->id);
  });
  for (const auto* inc : ordered) std::cout << core::encode_incident(*inc) << '\n';
  std::cerr << "talaia replay: " << ordered.size() << " incidents\n";
  return 0;
}

int decode(const std::vector<std::string>& files) {
  const std::int64_t now = core::now_micros();
  std::string out;
  auto r = for_each_line(files, [&](const std::string& file, std::string_view line, std::size_t number) {
    out.clear();
    core::append_event_json(out, replayed_event(file, line, number, now));
    out += '\n';
    std::cout << out;
  });
  if (!r) return fail(r.err());
  return 0;
}

int rules_check(const std::vector<std::string>& paths) {
  std::vector<rules::diagnostic> errors;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) errors.push_back({p, 0, "no such file or folder"});
  }
  auto loaded = rules::load_paths(paths);
  errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
  const std::size_t loaded_count = loaded.rules.size();
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  for (const auto& d : errors) std::cout << rules::to_string(d) << '\n';
  if (!set) {
    std::cout << "talaia: " << set.err().message << '\n';
    return 2;
  }
  const std::size_t good = (*set)->rules().size();
  std::cerr << "talaia rules check: " << good << " rules compiled, " << (loaded_count - good) + loaded.errors.size()
            << " with problems (" << errors.size() << " messages)\n";
  return errors.empty() ? 0 : 1;
}

}  // namespace talaia::app
