#include "core/event_view.hpp"

namespace talaia::core {

void event_view::assign(const event& ev) {
  const std::span<const field> from = ev.fields();
  fields_.resize(from.size());
  for (std::size_t i = 0; i < from.size(); ++i) fields_[i] = field_view{from[i].name, from[i].type, from[i].text, from[i].number};
}

event event_view::to_event() const {
  event ev;
  for (const field_view& f : fields_) ev.set(field{std::string(f.name), f.type, std::string(f.text), f.number});
  return ev;
}

}  // namespace talaia::core
