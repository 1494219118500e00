#pragma once
// What every subcommand does on its way up and down: signals, rules, fatal errors.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/config.hpp"
#include "correlator/correlate.hpp"
#include "correlator/correlation_set.hpp"
#include "correlator/detect.hpp"
#include "rules/rule_set.hpp"

namespace talaia::app {

// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after it, so that
// only wait_for_stop_signal() sees them.
void block_stop_signals();
// Waits for SIGINT or SIGTERM; returns the signal number. On SIGHUP calls on_hangup, and every
// `tick` without a signal calls on_tick (either may be empty).
int wait_for_stop_signal(const std::function<void()>& on_hangup = {}, const std::function<void()>& on_tick = {},
                         std::chrono::milliseconds tick = std::chrono::seconds(2));

// Prints `talaia: <message>` to stderr; returns exit code 2.
int fail(const core::error& e);

struct loaded_rules {
  std::shared_ptr<const rules::rule_set> detection;
  std::shared_ptr<const correlator::correlation_set> correlations;
};

// Loads every detection and correlation rule under `paths`, compiles the detection rules and
// resolves the correlations' references. `errors` gets every problem (a missing path too);
// an error result only when the engine itself fails.
// `sigma`: the config's placeholders, field mappings and logsource routes. `warnings`, when
// given, gets what does not stop a rule from running (a regex left to PCRE2, ...).
core::result<loaded_rules> load_rules(const std::vector<std::string>& paths, std::vector<rules::diagnostic>& errors,
                                      const core::sigma_config& sigma = {},
                                      std::vector<rules::diagnostic>* warnings = nullptr);

// The same for start-up: any problem stops it, all of them reported, `path:line: reason` a line.
core::result<loaded_rules> load_rule_set(const std::vector<std::string>& paths, const core::sigma_config& sigma = {});

// The stages' settings from the config.
correlator::detect_settings detect_settings_of(const core::config& cfg);
correlator::correlate_settings correlate_settings_of(const core::config& cfg);

}  // namespace talaia::app
