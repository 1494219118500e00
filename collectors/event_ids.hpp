#pragma once
// Event ids unique across collectors and restarts: "<node id>-<start time, hex µs>-<sequence>".
#include <atomic>
#include <cstdint>
#include <string>

namespace talaia::collectors {

class event_ids {
 public:
  event_ids(std::string node_id, std::int64_t start_micros);
  std::string next();
  // The same into `out` (its storage reused), for the collectors' per-message path.
  void next_into(std::string& out);

 private:
  std::string prefix_;
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace talaia::collectors
