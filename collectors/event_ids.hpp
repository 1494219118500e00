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

  // `n` consecutive sequences in one atomic step, the first returned; append_id_member or
  // write_id_member then writes each one's id.
  std::uint64_t take(std::size_t n) { return seq_.fetch_add(n, std::memory_order_relaxed); }
  // Appends the id of sequence `seq` to the JSON object `object` as its last member, "id", as
  // core::append_string_member(object, "id", id) would, without escaping it again.
  void append_id_member(std::string& object, std::uint64_t seq) const;
  // The same member, with the comma before it, written at `p` into an object that has members
  // (at most member_room() bytes); returns its end.
  char* write_id_member(char* p, std::uint64_t seq) const;
  std::size_t member_room() const { return 1 + member_start_.size() + 20 + 1; }

 private:
  std::string prefix_;
  std::string member_start_;  // `"id":"` and the prefix, escaped
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace talaia::collectors
