#include "app/startup.hpp"

#include <signal.h>

#include <filesystem>
#include <iostream>

#include "core/log.hpp"
#include "rules/loader.hpp"

namespace talaia::app {

namespace {
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void block_stop_signals() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_stop_signal(const std::function<void()>& on_hangup, const std::function<void()>& on_tick,
                         std::chrono::milliseconds tick) {
  sigset_t set = stop_signals();
  timespec timeout{static_cast<time_t>(tick.count() / 1000), static_cast<long>(tick.count() % 1000) * 1000000};
  for (;;) {
    const int sig = sigtimedwait(&set, nullptr, &timeout);
    if (sig < 0) {  // timeout (or EINTR)
      if (on_tick) on_tick();
      continue;
    }
    if (sig == SIGHUP) {
      if (on_hangup) on_hangup();
      else core::log_info("talaia", "SIGHUP ignored: nothing to reload");
      continue;
    }
    return sig;
  }
}

int fail(const core::error& e) {
  std::string m = e.message;
  while (!m.empty() && m.back() == '\n') m.pop_back();
  std::cerr << "talaia: " << m << "\n";
  return 2;
}

core::result<loaded_rules> load_rules(const std::vector<std::string>& paths, std::vector<rules::diagnostic>& errors,
                                      const core::sigma_config& sigma, std::vector<rules::diagnostic>* warnings) {
  auto loaded = rules::load_paths(paths, {sigma});
  errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
  if (warnings) warnings->insert(warnings->end(), loaded.warnings.begin(), loaded.warnings.end());
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  if (!set) return set.err();
  if (warnings) warnings->insert(warnings->end(), (*set)->warnings().begin(), (*set)->warnings().end());
  auto correlations = correlator::load_correlations(paths);
  errors.insert(errors.end(), correlations.errors.begin(), correlations.errors.end());
  auto resolved = correlator::correlation_set::build(std::move(correlations.correlations), correlations.names,
                                                     (*set)->rules(), errors);
  return loaded_rules{std::move(*set), std::move(resolved)};
}

core::result<loaded_rules> load_rule_set(const std::vector<std::string>& paths, const core::sigma_config& sigma) {
  std::vector<rules::diagnostic> errors;
  auto loaded = load_rules(paths, errors, sigma);
  if (!loaded) return loaded.err();
  if (!errors.empty()) {
    std::string problems = "rules have errors:\n";
    for (const auto& d : errors) problems += rules::to_string(d) + "\n";
    return core::make_error(problems);
  }
  return loaded;
}

correlator::detect_settings detect_settings_of(const core::config& cfg) {
  correlator::detect_settings s;
  s.group_by = cfg.group_by;
  s.max_clock_skew_micros = std::chrono::duration_cast<std::chrono::microseconds>(cfg.max_clock_skew).count();
  s.detections_topic = cfg.kafka.detections_topic;
  s.dead_letter_topic = cfg.kafka.dead_letter_topic;
  return s;
}

correlator::correlate_settings correlate_settings_of(const core::config& cfg) {
  correlator::correlate_settings s;
  s.quiet_period = cfg.quiet_period;
  s.max_evidence = cfg.max_evidence;
  s.incidents_topic = cfg.kafka.incidents_topic;
  s.engine.allowed_lateness_micros = std::chrono::duration_cast<std::chrono::microseconds>(cfg.allowed_lateness).count();
  s.engine.max_groups_per_rule = cfg.max_groups_per_rule;
  return s;
}

}  // namespace talaia::app
