#pragma once
// Reads Sigma rule files into rules, collecting every problem as a diagnostic with its file and
// line instead of stopping at the first. A rule with any problem is left out of `rules`.
// Runs at start-up and on reload (never on the data path); used as is by `talaia rules check`.
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "rules/rule.hpp"

namespace talaia::rules {

struct load_result {
  std::vector<rule> rules;
  std::vector<diagnostic> errors;
  std::vector<diagnostic> warnings;  // the rule is kept (e.g. an `expand` placeholder with no value)
};

struct load_options {
  core::sigma_config sigma;  // placeholders for `expand`, field mappings, logsource routes
};

// Each path is a file (read whatever its name) or a folder searched recursively for *.yml and
// *.yaml, visited in sorted order. Rule ids must be unique across everything loaded: a repeated
// id is an error and the later rule is left out.
// Correlation documents are checked (their `rules` must name rules of the collection by id or
// name) and then skipped: the correlator loads them itself. Filter documents are applied to the
// rules they name (pySigma's semantics, see routing.hpp); then every rule gets the config's
// field mappings and logsource route.
load_result load_paths(const std::vector<std::string>& paths, const load_options& options = {});

// One file's text, which may hold several YAML documents, as a collection of its own.
load_result load_text(std::string_view yaml, std::string path, const load_options& options = {});

}  // namespace talaia::rules
