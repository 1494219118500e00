#pragma once
// Prints the lines of a metrics registry whose name starts with one of `prefixes` to stderr
// (where a benchmark's missing messages went); with `skip_zero`, only those that are not 0.
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/metrics.hpp"

namespace talaia::bench {

inline void print_metric_lines(const core::metrics_registry& metrics, std::initializer_list<std::string_view> prefixes,
                               bool skip_zero) {
  const std::string text = metrics.render();
  for (std::size_t at = 0, end; at < text.size(); at = end + 1) {
    end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    if (skip_zero && line.ends_with(" 0")) continue;
    for (std::string_view p : prefixes)
      if (line.starts_with(p)) {
        std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
        break;
      }
  }
}

}  // namespace talaia::bench
