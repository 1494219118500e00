#pragma once
// A loaded Sigma detection rule: its metadata, where it came from, and its detection.
#include <string>
#include <vector>

#include "rules/detection.hpp"

namespace talaia::rules {

// A problem with a rule file, printed as `path:line: message` (line is 1-based; 0 = whole file).
struct diagnostic {
  std::string path;
  int line = 0;
  std::string message;
};

std::string to_string(const diagnostic& d);

// Kept as written; no routing on it yet.
struct logsource {
  std::string category, product, service, definition;
};

struct rule {
  std::string id, name, title, level, author, description, status, path;
  int line = 0;  // 1-based line where the rule's YAML document starts
  std::vector<std::string> tags, references;
  rules::logsource logsource;
  rules::detection detection;
};

}  // namespace talaia::rules
