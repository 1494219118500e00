#include "collectors/event_ids.hpp"

#include <cstdio>

namespace talaia::collectors {

event_ids::event_ids(std::string node_id, std::int64_t start_micros) : prefix_(std::move(node_id)) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%llx-", static_cast<unsigned long long>(start_micros));
  prefix_ += buf;
}

std::string event_ids::next() { return prefix_ + std::to_string(seq_.fetch_add(1, std::memory_order_relaxed)); }

}  // namespace talaia::collectors
