#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/clock.hpp"

namespace talaia::core {

namespace {
std::atomic<int> g_level{static_cast<int>(log_level::info)};
std::mutex g_mu;
constexpr const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void set_log_level(log_level level) { g_level = static_cast<int>(level); }
bool log_enabled(log_level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void log(log_level level, std::string_view component, std::string_view text) {
  if (!log_enabled(level)) return;
  std::string line = format_rfc3339(now_micros() / 1000000 * 1000000);
  line += ' ';
  line += names[static_cast<int>(level)];
  line += ' ';
  line += component;
  line += ' ';
  line += text;
  line += '\n';
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace talaia::core
