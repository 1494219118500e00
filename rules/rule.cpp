#include "rules/rule.hpp"

namespace talaia::rules {

std::string to_string(const diagnostic& d) {
  return d.path + ":" + std::to_string(d.line) + ": " + d.message;
}

}  // namespace talaia::rules
