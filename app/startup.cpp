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

int wait_for_stop_signal() {
  sigset_t set = stop_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      core::log_info("talaia", "SIGHUP ignored: rule reload is not implemented yet");
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

core::result<std::shared_ptr<const rules::rule_set>> load_rule_set(const std::vector<std::string>& paths) {
  std::string problems;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) problems += p + ": rules folder or file does not exist\n";
  }
  if (!problems.empty()) return core::make_error(problems);
  auto loaded = rules::load_paths(paths);
  std::vector<rules::diagnostic> errors = std::move(loaded.errors);
  auto set = rules::rule_set::build(std::move(loaded.rules), errors);
  for (const auto& d : errors) problems += rules::to_string(d) + "\n";
  if (!problems.empty()) return core::make_error("rules have errors:\n" + problems);
  if (!set) return set.err();
  return std::move(*set);
}

}  // namespace talaia::app
