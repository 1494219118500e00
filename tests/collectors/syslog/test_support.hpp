#pragma once
// Helpers shared by the syslog tests.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/syslog/parser.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"

namespace talaia::collectors::syslog::testing {

// 2026-01-15T12:00:00Z, the receive time of most tests.
inline std::int64_t received_at(std::string_view rfc3339 = "2026-01-15T12:00:00Z") {
  return core::parse_rfc3339(rfc3339).value();
}

inline core::event parse_line(std::string_view line, std::int64_t received = received_at(),
                              int default_year = 0) {
  core::event e;
  parse(line, parse_context{received, "192.0.2.1", default_year}, e);
  return e;
}

inline std::vector<std::string> field_names(const core::event& e) {
  std::vector<std::string> names;
  for (const auto& f : e.fields()) names.push_back(f.name);
  return names;
}

// The text of a field, or nullopt when it is absent.
inline std::optional<std::string> field(const core::event& e, std::string_view name) {
  const core::field* f = e.find(name);
  if (f == nullptr) return std::nullopt;
  return f->text;
}

}  // namespace talaia::collectors::syslog::testing
