#pragma once
// Event ids unique across collectors and restarts: "<node id>-<start time, hex µs>-<sequence>".
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/decimal.hpp"

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
  // Inline, and the member's start copied at a fixed size when it fits: a flow listener writes
  // one for each of its records.
  [[gnu::always_inline]] char* write_id_member(char* p, std::uint64_t seq) const {
    *p++ = ',';
    if (member_start_.size() <= short_start) [[likely]]
      std::memcpy(p, short_start_.data(), short_start);
    else
      std::memcpy(p, member_start_.data(), member_start_.size());
    p = core::write_decimal(p + member_start_.size(), seq);
    *p++ = '"';
    return p;
  }
  std::size_t member_room() const { return 1 + std::max(member_start_.size(), short_start) + 20 + 1; }

 private:
  static constexpr std::size_t short_start = 48;
  std::string prefix_;
  std::string member_start_;  // `"id":"` and the prefix, escaped
  std::array<char, short_start> short_start_{};  // the same, padded, when it fits
  std::atomic<std::uint64_t> seq_{0};
};

}  // namespace talaia::collectors
