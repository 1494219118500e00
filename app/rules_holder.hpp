#pragma once
// Reload without restart. Holds the running rules (detection and correlation) and replaces them
// whole when a reload loads and compiles without a single error; otherwise the running set keeps
// running and the diagnostics are logged and counted. The main thread reloads (on SIGHUP, or when
// a rule file changed); stage threads compare generation() and rebuild their scanner or
// correlator from current().
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/startup.hpp"
#include "core/metrics.hpp"

namespace talaia::app {

class rules_holder {
 public:
  rules_holder(loaded_rules initial, std::vector<std::string> paths, core::sigma_config sigma,
               core::metrics_registry& metrics);

  std::shared_ptr<const loaded_rules> current() const { return current_.load(); }
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Loads everything again; swaps only when there is no error. Returns whether it swapped.
  bool reload(const char* why);
  // True when a rule file was added, removed or changed since the last (attempted) load.
  bool changed_on_disk();
  // {"generation":N,"rules":N,"correlations":N,"last_reload":{...}|null} for GET /api/v1/rules.
  std::string status_json() const;

 private:
  struct stamp {
    std::string path;
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    bool operator==(const stamp&) const = default;
  };
  std::vector<stamp> stamps() const;

  std::vector<std::string> paths_;
  core::sigma_config sigma_;
  std::atomic<std::shared_ptr<const loaded_rules>> current_;
  std::atomic<std::uint64_t> generation_{0};
  std::vector<stamp> seen_;
  mutable std::mutex mu_;
  std::string last_reload_;  // JSON object of the last reload attempt, empty before the first
  core::counter& reloads_;
  core::counter& rejected_;
};

}  // namespace talaia::app
