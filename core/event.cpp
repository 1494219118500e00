#include "core/event.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/clock.hpp"

namespace talaia::core {

event::event(const event& other) : fields_(other.fields_.begin(), other.fields_.begin() + other.size_), size_(other.size_) {}

event::event(event&& other) noexcept : fields_(std::move(other.fields_)), size_(other.size_) {
  other.fields_.clear();
  other.size_ = 0;
}

event& event::operator=(const event& other) {
  if (this != &other) {
    clear();
    for (const field& f : other.fields()) set(f);
  }
  return *this;
}

event& event::operator=(event&& other) noexcept {
  if (this != &other) {
    fields_ = std::move(other.fields_);
    size_ = other.size_;
    other.fields_.clear();
    other.size_ = 0;
  }
  return *this;
}

namespace {
// The name test of the field lookups: the first byte is compared inline before memcmp, since
// most names of an event differ there or in length.
bool same_name(const std::string& a, std::string_view b) {
  return a.size() == b.size() && (b.empty() || (a[0] == b[0] && std::memcmp(a.data(), b.data(), b.size()) == 0));
}
}  // namespace

const field* event::find(std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i)
    if (same_name(fields_[i].name, name)) return &fields_[i];
  return nullptr;
}

std::string_view event::text(std::string_view name) const {
  const field* f = find(name);
  return f ? std::string_view(f->text) : std::string_view();
}

field& event::slot(std::string_view name) {
  for (std::size_t i = 0; i < size_; ++i)
    if (same_name(fields_[i].name, name)) return fields_[i];
  if (size_ == fields_.size()) fields_.emplace_back();
  field& f = fields_[size_++];
  f.name.assign(name);
  return f;
}

void event::set_string(std::string_view name, std::string_view value) {
  field& f = slot(name);
  f.type = field_type::string;
  f.text.assign(value);
  f.number = 0;
}

void event::set_integer(std::string_view name, std::int64_t value) {
  field& f = slot(name);
  f.type = field_type::integer;
  char digits[24];
  f.text.assign(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  f.number = value;
}

void event::set_ip(std::string_view name, std::string_view value) {
  field& f = slot(name);
  f.type = field_type::ip;
  f.text.assign(value);
  f.number = 0;
}

void event::set_time(std::string_view name, std::int64_t micros) {
  field& f = slot(name);
  f.type = field_type::time;
  char text[rfc3339_max];
  f.text.assign(text, format_rfc3339(micros, text));
  f.number = micros;
}

void event::set(field f) {
  field& s = slot(f.name);
  s.type = f.type;
  s.text.swap(f.text);  // `f` is ours: its text storage can be taken
  s.number = f.number;
}

void event::erase(std::string_view name) {
  // The erased fields go to the spare end, keeping their storage.
  const auto live_end = fields_.begin() + static_cast<std::ptrdiff_t>(size_);
  const auto kept_end = std::stable_partition(fields_.begin(), live_end, [&](const field& f) { return !same_name(f.name, name); });
  size_ = static_cast<std::size_t>(kept_end - fields_.begin());
}

}  // namespace talaia::core
