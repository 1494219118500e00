#pragma once
// Reads Sigma rule files into rules, collecting every problem as a diagnostic with its file and
// line instead of stopping at the first. A rule with any problem is left out of `rules`.
// Runs at start-up and on reload (never on the data path); used as is by `talaia rules check`.
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule.hpp"

namespace talaia::rules {

struct load_result {
  std::vector<rule> rules;
  std::vector<diagnostic> errors;
};

// Each path is a file (read whatever its name) or a folder searched recursively for *.yml and
// *.yaml, visited in sorted order. Rule ids must be unique across everything loaded: a repeated
// id is an error and the later rule is left out.
load_result load_paths(const std::vector<std::string>& paths);

// One file's text, which may hold several YAML documents. Documents that are not detection rules
// (`correlation:` or `filter:` meta-rules, empty documents) are skipped without error for now.
load_result load_text(std::string_view yaml, std::string path);

}  // namespace talaia::rules
