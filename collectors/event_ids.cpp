#include "collectors/event_ids.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "core/decimal.hpp"
#include "core/json.hpp"

namespace talaia::collectors {

event_ids::event_ids(std::string node_id, std::int64_t start_micros) : prefix_(std::move(node_id)) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%llx-", static_cast<unsigned long long>(start_micros));
  prefix_ += buf;
  core::append_json_string(member_start_, "id");
  member_start_ += ':';
  core::append_json_string(member_start_, prefix_);
  member_start_.pop_back();  // the closing quote comes after the sequence
  std::memcpy(short_start_.data(), member_start_.data(), std::min(member_start_.size(), short_start));
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

void event_ids::append_id_member(std::string& object, std::uint64_t seq) const {
  if (!object.empty() && object.back() == '}') object.pop_back();
  const bool comma = object.size() > 1;
  // Written in place after one resize (three appends cost a copy call each).
  const std::size_t at = object.size();
  object.resize(at + member_room() + 1);
  char* p = object.data() + at;
  char* end = write_id_member(p, seq);
  if (!comma) std::memmove(p, p + 1, static_cast<std::size_t>(--end - p));
  *end++ = '}';
  object.resize(static_cast<std::size_t>(end - object.data()));
}

}  // namespace talaia::collectors
