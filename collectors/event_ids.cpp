#include "collectors/event_ids.hpp"

#include <charconv>
#include <cstdio>

namespace talaia::collectors {

event_ids::event_ids(std::string node_id, std::int64_t start_micros) : prefix_(std::move(node_id)) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%llx-", static_cast<unsigned long long>(start_micros));
  prefix_ += buf;
}

std::string event_ids::next() {
  std::string out;
  next_into(out);
  return out;
}

void event_ids::next_into(std::string& out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, seq_.fetch_add(1, std::memory_order_relaxed)).ptr;
  out.assign(prefix_).append(digits, end);
}

}  // namespace talaia::collectors
