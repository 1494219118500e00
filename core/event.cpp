#include "core/event.hpp"

#include <algorithm>

#include "core/clock.hpp"

namespace talaia::core {

const field* event::find(std::string_view name) const {
  for (const auto& f : fields_)
    if (f.name == name) return &f;
  return nullptr;
}

std::string_view event::text(std::string_view name) const {
  const field* f = find(name);
  return f ? std::string_view(f->text) : std::string_view();
}

field& event::slot(std::string_view name) {
  for (auto& f : fields_)
    if (f.name == name) return f;
  fields_.push_back(field{std::string(name), field_type::string, {}, 0});
  return fields_.back();
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
  f.text = std::to_string(value);
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
  f.text = format_rfc3339(micros);
  f.number = micros;
}

void event::set(field f) {
  field& s = slot(f.name);
  s = std::move(f);
}

void event::erase(std::string_view name) {
  std::erase_if(fields_, [&](const field& f) { return f.name == name; });
}

}  // namespace talaia::core
