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
int rules_check(const std::vector<std::string>& paths);
int decode(const std::vector<std::string>& files);

}  // namespace talaia::app
