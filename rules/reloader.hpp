#pragma once
// Reload without restart: holds the running rule_set and replaces it, whole, when a reload
// compiles cleanly. A set that fails (any error in any file) is rejected whole: the running set
// keeps running and the diagnostics are returned for the log, the metrics and the API.
//
// No thread and no clock of its own: the app calls reload() on SIGHUP, and changed_on_disk()
// from a timer (it compares the size and modification time of every rule file, so an added,
// removed or edited file counts). current() may be called from any thread at any time; workers
// rebuild their scanner when generation() moves.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "rules/loader.hpp"
#include "rules/rule_set.hpp"

namespace talaia::rules {

struct reload_outcome {
  bool swapped = false;
  std::size_t rules = 0;                   // in the set now running
  std::vector<diagnostic> errors, warnings;
};

class rule_reloader {
 public:
  // The first load: any error is an error (start-up refuses to run with broken rules).
  static core::result<std::unique_ptr<rule_reloader>> make(std::vector<std::string> paths, load_options options);

  std::shared_ptr<const rule_set> current() const { return current_.load(); }
  std::uint64_t generation() const { return generation_.load(); }

  // Loads and compiles everything again; swaps only when there is no error. Call from one
  // thread at a time (the app's reload thread).
  reload_outcome reload();

  // True when a rule file was added, removed or changed since the last load.
  bool changed_on_disk() const;

 private:
  struct file_stamp {
    std::string path;
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    bool operator==(const file_stamp&) const = default;
  };
  rule_reloader(std::vector<std::string> paths, load_options options)
      : paths_(std::move(paths)), options_(std::move(options)) {}
  std::vector<file_stamp> stamps() const;
  reload_outcome compile(std::shared_ptr<const rule_set>& out, std::vector<file_stamp>& seen) const;

  std::vector<std::string> paths_;
  load_options options_;
  std::atomic<std::shared_ptr<const rule_set>> current_;
  std::atomic<std::uint64_t> generation_{0};
  std::vector<file_stamp> loaded_stamps_;  // of the running set
};

}  // namespace talaia::rules
