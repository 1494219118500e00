#pragma once
// The subcommands of `talaia`. Each returns the process exit code: 0 success, 1 a check found
// problems (`rules check`), 2 bad config, rules or start-up failure.
#include <string>
#include <vector>

#include "core/config.hpp"

namespace talaia::app {

int run_embedded(const core::config& cfg);  // talaia run
int run_collect(const core::config& cfg);   // talaia collect   (Kafka)
int run_detect(const core::config& cfg);    // talaia detect    (Kafka)
int run_correlate(const core::config& cfg); // talaia correlate (Kafka)
int run_serve(const core::config& cfg);     // talaia serve     (Kafka)

int replay(const core::config& cfg, const std::vector<std::string>& files);
int rules_check(const core::config& cfg, const std::vector<std::string>& paths);
// Runs the test cases kept beside the rules (*.tests.yml); 1 when any fails.
int rules_test(const core::config& cfg, const std::vector<std::string>& paths);
// Each JSON event of `events_file` (one a line) through the rules: `line<TAB>rule id` per match.
int rules_match(const core::config& cfg, const std::vector<std::string>& paths, const std::string& events_file);
// One line per rule: id, title, level, log source, fields used (tab-separated, with a header).
int rules_list(const core::config& cfg, const std::vector<std::string>& paths);
int decode(const std::vector<std::string>& files);

}  // namespace talaia::app
