#pragma once
// Logging to stderr: lifecycle at info, nothing per event above debug.
// Lines read `2026-11-27T04:25:42Z INFO component key=value ... sentence`.
#include <string_view>

namespace talaia::core {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(log_level level);
bool log_enabled(log_level level);
void log(log_level level, std::string_view component, std::string_view text);

inline void log_info(std::string_view c, std::string_view t) { log(log_level::info, c, t); }
inline void log_warn(std::string_view c, std::string_view t) { log(log_level::warn, c, t); }
inline void log_error(std::string_view c, std::string_view t) { log(log_level::error, c, t); }

}  // namespace talaia::core
