#pragma once
// What every subcommand does on its way up and down: signals, rules, fatal errors.
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "rules/rule_set.hpp"

namespace talaia::app {

// Blocks SIGINT, SIGTERM and SIGHUP in this thread and every thread started after it, so that
// only wait_for_stop_signal() sees them.
void block_stop_signals();
// Waits for SIGINT or SIGTERM; returns the signal number.
int wait_for_stop_signal();

// Prints `talaia: <message>` to stderr; returns exit code 2.
int fail(const core::error& e);

// Loads and compiles every rule under `paths`. Every problem is reported, `path:line: reason`
// a line, in the error; a missing path is one too.
core::result<std::shared_ptr<const rules::rule_set>> load_rule_set(const std::vector<std::string>& paths);

}  // namespace talaia::app
