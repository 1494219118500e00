#include "core/event.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>

#include "core/bytes.hpp"
#include "core/clock.hpp"

namespace talaia::core {

event::event(const event& other)
    : fields_(other.fields().begin(), other.fields().end()),
      size_(other.size_),
      index_(other.index_),
      next_(other.next_.begin(), other.next_.begin() + static_cast<std::ptrdiff_t>(std::min(other.size_, other.next_.size()))),
      overflow_(other.overflow_) {}

event::event(event&& other) noexcept
    : fields_(std::move(other.fields_)),
      size_(other.size_),
      index_(other.index_),
      next_(std::move(other.next_)),
      overflow_(other.overflow_) {
  other.fields_.clear();
  other.next_.clear();
  other.clear();
}

event& event::operator=(const event& other) {
  if (this != &other) {
    // Field by field, so that this event's spare storage is reused.
    if (fields_.size() < other.size_) fields_.resize(other.size_);
    for (std::size_t i = 0; i < other.size_; ++i) fields_[i] = other.fields_[i];
    const std::size_t chained = std::min(other.size_, other.next_.size());
    if (next_.size() < chained) next_.resize(chained);
    std::copy_n(other.next_.begin(), chained, next_.begin());
    size_ = other.size_;
    index_ = other.index_;
    overflow_ = other.overflow_;
  }
  return *this;
}

event& event::operator=(event&& other) noexcept {
  if (this != &other) {
    fields_ = std::move(other.fields_);
    next_ = std::move(other.next_);
    size_ = other.size_;
    index_ = other.index_;
    overflow_ = other.overflow_;
    other.fields_.clear();
    other.next_.clear();
    other.clear();
  }
  return *this;
}

namespace {
[[gnu::always_inline]] inline bool same_name(const std::string& a, std::string_view b) { return same_text(a, b); }

// s = v, cheaper than std::string::assign when s already has the room (fields reused line after
// line mostly do). v may lie inside s (a field set to part of its own text): then it is no longer
// than s, and is moved down before s is shortened; a longer v cannot lie inside s.
[[gnu::always_inline]] inline void assign_text(std::string& s, std::string_view v) {
  if (v.size() > s.capacity()) {
    s.assign(v);
  } else if (v.size() <= s.size()) {
    move_bytes(s.data(), v.data(), v.size());
    s.resize(v.size());
  } else {
    const char* from = v.data();
    s.resize(v.size());
    move_bytes(s.data(), from, v.size());
  }
}

constexpr std::size_t chained_positions = 255;  // what a byte of index_ / next_ holds

}  // namespace

[[gnu::always_inline]] inline std::size_t event::position_of(std::string_view name, std::size_t bucket) const {
  for (std::uint8_t p = index_[bucket]; p != 0; p = next_[p - 1u])
    if (same_name(fields_[p - 1u].name, name)) return p - 1u;
  if (overflow_)
    for (std::size_t i = chained_positions; i < size_; ++i)
      if (same_name(fields_[i].name, name)) return i;
  return size_;
}

[[gnu::always_inline]] inline void event::chain(std::size_t position, std::size_t bucket) {
  if (position >= chained_positions) {
    overflow_ = true;
    return;
  }
  if (next_.size() <= position) next_.resize(position + 1);
  next_[position] = index_[bucket];
  index_[bucket] = static_cast<std::uint8_t>(position + 1);
}

void event::reindex() {
  index_.fill(0);
  overflow_ = false;
  for (std::size_t i = 0; i < size_; ++i) chain(i, bucket_of(fields_[i].name));
}

const field* event::find(std::string_view name, std::size_t bucket) const {
  const std::size_t i = position_of(name, bucket);
  return i < size_ ? &fields_[i] : nullptr;
}

[[gnu::always_inline]] inline field& event::slot(std::string_view name, std::size_t bucket) {
  if (const std::size_t i = position_of(name, bucket); i < size_) return fields_[i];
  if (size_ == fields_.size()) fields_.emplace_back();
  const std::size_t position = size_++;
  chain(position, bucket);
  field& f = fields_[position];
  if (!same_name(f.name, name)) f.name.assign(name);  // spare fields mostly had this very name
  return f;
}

bool event::inside_field_list(std::string_view v) const {
  const std::less<const char*> before;
  const auto* begin = reinterpret_cast<const char*>(fields_.data());
  const auto* end = reinterpret_cast<const char*>(fields_.data() + fields_.size());
  return !before(v.data(), begin) && before(v.data(), end);
}

void event::set_string(std::string_view name, std::size_t bucket, std::string_view value) {
  if (inside_field_list(value)) {  // a short text of one of our fields: slot() may move it
    const std::string copy(value);
    set_string(name, bucket, copy);
    return;
  }
  field& f = slot(name, bucket);
  f.type = field_type::string;
  assign_text(f.text, value);
  f.number = 0;
}

void event::set_integer(std::string_view name, std::size_t bucket, std::int64_t value) {
  field& f = slot(name, bucket);
  f.type = field_type::integer;
  char digits[24];
  assign_text(f.text, std::string_view(digits, static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value).ptr - digits)));
  f.number = value;
}

void event::set_ip(std::string_view name, std::size_t bucket, std::string_view value) {
  if (inside_field_list(value)) {  // as in set_string
    const std::string copy(value);
    set_ip(name, bucket, copy);
    return;
  }
  field& f = slot(name, bucket);
  f.type = field_type::ip;
  assign_text(f.text, value);
  f.number = 0;
}

void event::set_time(std::string_view name, std::size_t bucket, std::int64_t micros) {
  field& f = slot(name, bucket);
  f.type = field_type::time;
  char text[rfc3339_max];
  assign_text(f.text, std::string_view(text, format_rfc3339(micros, text)));
  f.number = micros;
}

void event::copy_time(std::string_view name, std::size_t bucket, const field& time) {
  // `time` may be a field of this event, which slot() may move: keep its text first.
  char text[rfc3339_max];
  const std::size_t n = std::min(time.text.size(), sizeof text);
  std::memcpy(text, time.text.data(), n);
  const std::int64_t micros = time.number;
  if (n < time.text.size()) {  // not a text format_rfc3339 wrote
    set_time(name, bucket, micros);
    return;
  }
  field& f = slot(name, bucket);
  f.type = field_type::time;
  assign_text(f.text, std::string_view(text, n));
  f.number = micros;
}

void event::set(const field& f) {
  field& s = slot(f.name, bucket_of(f.name));
  s.type = f.type;
  assign_text(s.text, f.text);
  s.number = f.number;
}

void event::set(field&& f) {
  field& s = slot(f.name, bucket_of(f.name));
  s.type = f.type;
  s.text.swap(f.text);  // `f` is ours: its text storage can be taken
  s.number = f.number;
}

void event::erase(std::string_view name) {
  // The erased fields go to the spare end, keeping their storage.
  const auto live_end = fields_.begin() + static_cast<std::ptrdiff_t>(size_);
  const auto kept_end = std::stable_partition(fields_.begin(), live_end, [&](const field& f) { return !same_name(f.name, name); });
  size_ = static_cast<std::size_t>(kept_end - fields_.begin());
  reindex();
}

}  // namespace talaia::core
