#include "core/event_view.hpp"

namespace talaia::core {

void event_view::assign(const event& ev) {
  fields_.clear();
  for (const field& f : ev.fields()) fields_.push_back(field_view{f.name, f.type, f.text, f.number});
}

event event_view::to_event() const {
  event ev;
  for (const field_view& f : fields_) ev.set(field{std::string(f.name), f.type, std::string(f.text), f.number});
  return ev;
}

}  // namespace talaia::core
