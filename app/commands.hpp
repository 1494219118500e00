#pragma once
// The subcommands of `talaia`. Each returns the process exit code: 0 success, 1 a check found
// problems (`rules check`), 2 bad config, rules or start-up failure.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace talaia::app {

// What a pinned UDP port of a capture carries, whatever its content looks like.
enum class port_protocol { syslog, flow, ignore };

// How `decode` and `replay` read their input.
struct offline_options {
  int year = 0;  // RFC 3164 year-less timestamps take this year; 0: inferred from the receive time
  // UDP destination port -> protocol, instead of recognising each payload by its content.
  std::map<std::uint16_t, port_protocol> pinned_ports;
  core::netflow_options_config netflow;  // the flow decoder's limits
};

// Reads `PORT=PROTOCOL` (syslog; netflow, ipfix or sflow: the flow decoder, which tells them
// apart by their version field; none: skipped) into `o`; the error says what is wrong.
core::result<void> pin_port(offline_options& o, std::string_view spec);

int run_embedded(const core::config& cfg);  // talaia run
int run_collect(const core::config& cfg);   // talaia collect   (Kafka)
int run_detect(const core::config& cfg);    // talaia detect    (Kafka)
int run_correlate(const core::config& cfg); // talaia correlate (Kafka)
int run_serve(const core::config& cfg);     // talaia serve     (Kafka)

int replay(const core::config& cfg, const std::vector<std::string>& files, const offline_options& options);
int rules_check(const core::config& cfg, const std::vector<std::string>& paths);
// Runs the test cases kept beside the rules (*.tests.yml); 1 when any fails.
int rules_test(const core::config& cfg, const std::vector<std::string>& paths);
// Each JSON event of `events_file` (one a line) through the rules: `line<TAB>rule id` per match.
int rules_match(const core::config& cfg, const std::vector<std::string>& paths, const std::string& events_file);
// One line per rule: id, title, level, log source, fields used (tab-separated, with a header).
int rules_list(const core::config& cfg, const std::vector<std::string>& paths);
int decode(const std::vector<std::string>& files, const offline_options& options);

}  // namespace talaia::app
