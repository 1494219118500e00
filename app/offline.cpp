// Subcommands that read files instead of sockets, through the same parse, detect and correlate
// code as the daemon: replay, decode, rules check.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "app/commands.hpp"
#include "app/startup.hpp"
#include "collectors/capture/payload_kind.hpp"
#include "collectors/capture/pcap.hpp"
#include "collectors/netflow/decoder.hpp"
#include "collectors/syslog/parser.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "correlator/correlate.hpp"
#include "correlator/detect.hpp"
#include "rules/loader.hpp"
#include "rules/rule_tests.hpp"

namespace talaia::app {

namespace {

// Calls fn(line, line_number) for each line of each file; a missing file is an error.
core::result<void> for_each_line(const std::vector<std::string>& files,
                                 const std::function<void(const std::string& file, std::string_view line, std::size_t number)>& fn) {
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return core::make_error(file + ": cannot read");
    // Lines as std::getline splits them (a last line without '\n' counts, no empty line after a
    // final '\n'), read a megabyte at a time and handed out as views into the buffer.
    std::string buffer(std::size_t{1} << 20, '\0');
    std::size_t begin = 0, end = 0, number = 0;
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(buffer.data() + begin, '\n', end - begin));
      if (nl == nullptr) {
        if (!in) break;  // the previous read hit the end of the file
        // Keep the partial line at the front; at least half the buffer is then free to read into
        // (the buffer never shrinks, so a read asks for something and only fails at the end).
        std::memmove(buffer.data(), buffer.data() + begin, end - begin);
        end -= begin;
        begin = 0;
        if (buffer.size() - end < buffer.size() / 2) buffer.resize(buffer.size() * 2);
        in.read(buffer.data() + end, static_cast<std::streamsize>(buffer.size() - end));
        end += static_cast<std::size_t>(in.gcount());
        continue;
      }
      std::string_view line(buffer.data() + begin, static_cast<std::size_t>(nl - (buffer.data() + begin)));
      begin = static_cast<std::size_t>(nl - buffer.data()) + 1;
      ++number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      fn(file, line, number);
    }
    if (begin < end) {  // the last line, without '\n'
      std::string_view line(buffer.data() + begin, end - begin);
      ++number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      fn(file, line, number);
    }
  }
  return {};
}

// A captured line as an event: a JSON object is taken as an event as it is (what `talaia decode`
// prints, or any producer writes to the events topic); anything else is a syslog message. For
// reproducible output the receive time is the event's own time and the id names file and line.
// `id_prefix` is "replay:FILENAME:" (replay_id_prefix); `ev` is overwritten.
std::string replay_id_prefix(const std::string& file) {
  return "replay:" + std::filesystem::path(file).filename().string() + ":";
}

void replayed_event(const std::string& id_prefix, std::string_view line, std::size_t number, std::int64_t now,
                    int year, core::event& ev) {
  thread_local std::string id;  // reused line after line: no allocation once warm
  char digits[24];
  id.assign(id_prefix).append(digits, std::to_chars(digits, digits + sizeof digits, number).ptr);
  const std::string_view id_text = id;
  if (!line.empty() && line.front() == '{') {
    if (auto decoded = core::decode_event(line)) {
      if (!decoded->has("id")) decoded->set_string("id", id_text);
      ev = std::move(*decoded);
      return;
    }
  }
  ev.clear();
  ev.set_string("id", id_text);
  collectors::syslog::parse_context ctx;
  ctx.received_micros = now;
  ctx.default_year = year;
  collectors::syslog::parse(line, ctx, ev);
  // The receive time is the event time.
  if (const auto* ts = ev.find("timestamp"); ts && ts->type == core::field_type::time) ev.copy_time("received", *ts);
}

core::event replayed_event(const std::string& file, std::string_view line, std::size_t number, std::int64_t now,
                           int year) {
  core::event ev;
  replayed_event(replay_id_prefix(file), line, number, now, year, ev);
  return ev;
}

// ---- captures (pcap, pcapng): each UDP payload recognised by its content, whatever its port,
// unless its destination port is pinned to a protocol ----

bool is_capture(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char m[4] = {};
  if (!in.read(reinterpret_cast<char*>(m), 4)) return false;
  const std::uint32_t le = m[0] | (m[1] << 8) | (m[2] << 16) | (static_cast<std::uint32_t>(m[3]) << 24);
  return le == 0xa1b2c3d4 || le == 0xd4c3b2a1 || le == 0xa1b23c4d || le == 0x4d3cb2a1 || le == 0x0a0d0d0a;
}

struct capture_summary {
  std::map<std::string, std::size_t> payloads;  // kind -> datagrams
  std::size_t events = 0, undecodable = 0;
};

// Calls fn for each event the capture's UDP payloads decode to: NetFlow v5/v9, IPFIX and sFlow
// records (through `flows`, whose templates carry over from file to file) and syslog messages.
// Unrecognised payloads are only counted. The receive time is the capture time; ids name the
// file, the datagram and the record.
core::result<void> for_each_capture_event(const std::string& file, collectors::netflow::decoder& flows,
                                          const offline_options& options, capture_summary& summary,
                                          const std::function<void(core::event&)>& fn) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto datagrams = collectors::capture::read_pcap_udp(bytes);
  if (!datagrams) return core::make_error(file + ": " + datagrams.err().message);
  const std::string name = std::filesystem::path(file).filename().string();
  std::vector<core::event> events;
  std::size_t number = 0;
  for (const auto& d : *datagrams) {
    ++number;
    using collectors::capture::payload_kind;
    port_protocol protocol = port_protocol::ignore;
    if (auto pin = options.pinned_ports.find(d.dst_port); pin != options.pinned_ports.end()) {
      protocol = pin->second;
      ++summary.payloads["port " + std::to_string(d.dst_port) + " pinned"];
    } else {
      const auto kind = collectors::capture::recognise_payload(d.payload);
      ++summary.payloads[std::string(collectors::capture::to_string(kind))];
      protocol = kind == payload_kind::syslog ? port_protocol::syslog
                 : kind == payload_kind::unknown ? port_protocol::ignore
                                                 : port_protocol::flow;
    }
    const std::string id = "replay:" + name + ":" + std::to_string(number);
    if (protocol == port_protocol::flow) {
      flows.recycle(events);
      if (!flows.decode(d.payload, d.src_ip, d.src_port, d.time_micros, events)) ++summary.undecodable;
      for (std::size_t i = 0; i < events.size(); ++i) {
        events[i].set_string("id", id + "." + std::to_string(i + 1));
        fn(events[i]);
      }
      summary.events += events.size();
    } else if (protocol == port_protocol::syslog) {
      std::string_view text = d.payload;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) text.remove_suffix(1);
      core::event ev;
      ev.set_string("id", id);
      collectors::syslog::parse_context ctx;
      ctx.received_micros = d.time_micros;
      ctx.peer = d.src_ip;
      ctx.default_year = options.year;
      collectors::syslog::parse(text, ctx, ev);
      fn(ev);
      ++summary.events;
    }
  }
  return {};
}

// Every event of the files: captures datagram by datagram, other files line by line.
core::result<void> for_each_event(const std::vector<std::string>& files, std::int64_t now, bool skip_empty_lines,
                                  const offline_options& options, const std::function<void(core::event&)>& fn) {
  collectors::netflow::decoder flows(collectors::netflow::limits_of(options.netflow));
  for (const auto& file : files) {
    if (is_capture(file)) {
      capture_summary summary;
      auto r = for_each_capture_event(file, flows, options, summary, fn);
      if (!r) return r;
      std::string kinds;
      for (const auto& [kind, n] : summary.payloads) kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(n);
      std::cerr << "talaia: " << file << ": UDP payloads: " << (kinds.empty() ? "none" : kinds) << "; " << summary.events
                << " events" << (summary.undecodable ? "; " + std::to_string(summary.undecodable) + " flow packets not decoded" : "")
                << '\n';
      continue;
    }
    const std::string id_prefix = replay_id_prefix(file);
    core::event ev;
    auto r = for_each_line({file}, [&](const std::string&, std::string_view line, std::size_t number) {
      if (skip_empty_lines && line.empty()) return;
      replayed_event(id_prefix, line, number, now, options.year, ev);
      fn(ev);
    });
    if (!r) return r;
  }
  return {};
}

}  // namespace

core::result<void> pin_port(offline_options& o, std::string_view spec) {
  const auto eq = spec.find('=');
  const std::string bad = "--port " + std::string(spec) + ": ";
  if (eq == std::string_view::npos) return core::make_error(bad + "expected PORT=PROTOCOL, e.g. 9995=netflow or 1514=syslog");
  unsigned port = 0;
  const std::string_view number = spec.substr(0, eq), name = spec.substr(eq + 1);
  auto [p, ec] = std::from_chars(number.data(), number.data() + number.size(), port);
  if (ec != std::errc() || p != number.data() + number.size() || port == 0 || port > 65535)
    return core::make_error(bad + "'" + std::string(number) + "' is not a UDP port");
  port_protocol protocol;
  if (name == "syslog") protocol = port_protocol::syslog;
  else if (name == "netflow" || name == "ipfix" || name == "sflow") protocol = port_protocol::flow;
  else if (name == "none") protocol = port_protocol::ignore;
  else return core::make_error(bad + "unknown protocol '" + std::string(name) + "' (syslog, netflow, ipfix, sflow or none)");
  o.pinned_ports[static_cast<std::uint16_t>(port)] = protocol;
  return {};
}

int replay(const core::config& cfg, const std::vector<std::string>& files, const offline_options& options) {
  auto rules = load_rule_set(cfg.rules, cfg.sigma);
  if (!rules) return fail(rules.err());
  auto detector = correlator::detector::make(rules->detection, detect_settings_of(cfg), rules->correlations);
  if (!detector) return fail(detector.err());
  correlator::correlator correlate(correlate_settings_of(cfg), rules->correlations);
  std::map<std::string, core::incident> incidents;  // id -> final state
  std::vector<core::detection> found;
  std::vector<correlator::correlator::change> changes;
  auto keep = [&] {
    for (const auto& c : changes) incidents[c.incident->id] = *c.incident;
    changes.clear();
  };
  const std::int64_t now = core::now_micros();
  std::string json;
  auto r = for_each_event(files, now, true, options, [&](core::event& ev) {
    detector->recycle(found);
    detector->detect(ev, {}, found);
    if (found.empty()) return;
    // The event's JSON only for the events that matched: the detections carry it.
    json.clear();
    core::append_event_json(json, ev);
    for (auto& d : found) d.event_json.assign(json);
    for (const auto& d : found) {
      correlate.apply(d, changes);
      keep();
    }
  });
  if (!r) return fail(r.err());
  // The input has ended: decide the correlation windows still open (lt, lte, eq, neq).
  correlate.finish(INT64_MAX, changes);
  keep();
  std::vector<const core::incident*> ordered;
  for (const auto& [id, inc] : incidents) ordered.push_back(&inc);
  std::sort(ordered.begin(), ordered.end(), [](const core::incident* a, const core::incident* b) {
    return std::tie(a->first_seen, a->id) < std::tie(b->first_seen, b->id);
  });
  for (const auto* inc : ordered) std::cout << core::encode_incident(*inc) << '\n';
  std::cerr << "talaia replay: " << ordered.size() << " incidents\n";
  return 0;
}

int decode(const std::vector<std::string>& files, const offline_options& options) {
  const std::int64_t now = core::now_micros();
  std::string out;
  auto r = for_each_event(files, now, false, options, [&](core::event& ev) {
    out.clear();
    core::append_event_json(out, ev);
    out += '\n';
    std::cout << out;
  });
  if (!r) return fail(r.err());
  return 0;
}

int rules_check(const core::config& cfg, const std::vector<std::string>& paths) {
  // The very loading the daemon does (detection and correlation rules), printed instead of fatal.
  std::vector<rules::diagnostic> errors, warnings;
  auto loaded = load_rules(paths, errors, cfg.sigma, &warnings);
  for (const auto& d : errors) std::cout << rules::to_string(d) << '\n';
  for (const auto& d : warnings) std::cout << rules::to_string({d.path, d.line, "warning: " + d.message}) << '\n';
  if (!loaded) {
    std::cout << "talaia: " << loaded.err().message << '\n';
    return 2;
  }
  std::cerr << "talaia rules check: " << loaded->detection->rules().size() << " rules compiled, "
            << loaded->correlations->correlations().size() << " correlations (" << errors.size() << " errors, "
            << warnings.size() << " warnings)\n";
  return errors.empty() ? 0 : 1;
}

namespace {

// Loads and compiles the rules under `paths` with the config's sigma settings; prints errors.
std::shared_ptr<const rules::rule_set> compile_or_print(const core::config& cfg, const std::vector<std::string>& paths) {
  auto loaded = rules::load_paths(paths, {cfg.sigma});
  std::vector<rules::diagnostic> errors = std::move(loaded.errors);
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  for (const auto& d : errors) std::cout << rules::to_string(d) << '\n';
  if (!set) std::cout << "talaia: " << set.err().message << '\n';
  return set && errors.empty() ? *set : nullptr;
}

std::string fields_of(const rules::rule& r) {
  std::vector<std::string> names;
  rules::for_each_value(r.detection, [&](const rules::sigma_value&, const rules::field_test& t) {
    names.push_back(t.field.empty() ? "(keywords)" : t.field);
  });
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

int rules_test(const core::config& cfg, const std::vector<std::string>& paths) {
  auto set = compile_or_print(cfg, paths);
  if (!set) return 1;
  auto tests = rules::load_tests(paths);
  for (const auto& d : tests.errors) std::cout << rules::to_string(d) << '\n';
  const std::int64_t now = core::now_micros();
  auto report = rules::run_tests(set, tests.tests, [&](const std::string& line) {
    return replayed_event("test", line, 1, now, cfg.syslog_options.year);
  });
  for (const auto& d : report.failures) std::cout << rules::to_string(d) << '\n';
  std::cerr << "talaia rules test: " << report.cases << " cases, " << report.passed << " passed, "
            << report.cases - report.passed << " failed; " << report.rules_with_tests << " of "
            << set->rules().size() << " rules have tests\n";
  return tests.errors.empty() && report.failures.empty() ? 0 : 1;
}

int rules_match(const core::config& cfg, const std::vector<std::string>& paths, const std::string& events_file) {
  auto set = compile_or_print(cfg, paths);
  if (!set) return 1;
  auto sc = rules::scanner::make(set);
  if (!sc) return fail(sc.err());
  std::vector<std::size_t> hits;
  std::size_t events = 0, bad = 0, matches = 0;
  auto r = for_each_line({events_file}, [&](const std::string&, std::string_view line, std::size_t number) {
    if (line.empty()) return;
    ++events;
    auto ev = core::decode_event(line);
    if (!ev) {
      ++bad;
      std::cout << number << "\t!\t" << ev.err().message << '\n';
      return;
    }
    hits.clear();
    sc->match(*ev, hits);
    for (std::size_t i : hits) {
      const auto& rule = set->rules()[i];
      std::cout << number << '\t' << (rule.id.empty() ? rule.title : rule.id) << '\n';
    }
    matches += hits.size();
  });
  if (!r) return fail(r.err());
  std::cerr << "talaia rules match: " << events << " events, " << matches << " matches, " << bad << " not JSON objects\n";
  return bad == 0 ? 0 : 1;
}

int rules_list(const core::config& cfg, const std::vector<std::string>& paths) {
  auto set = compile_or_print(cfg, paths);
  if (!set) return 1;
  std::cout << "id\ttitle\tlevel\tlogsource\tfields\n";
  for (const auto& r : set->rules()) {
    std::string source;
    for (const auto* part : {&r.logsource.product, &r.logsource.category, &r.logsource.service})
      source += (source.empty() ? "" : "/") + (part->empty() ? std::string("*") : *part);
    std::cout << r.id << '\t' << r.title << '\t' << r.level << '\t' << source << '\t' << fields_of(r) << '\n';
  }
  return 0;
}

}  // namespace talaia::app
