#pragma once
// A read-only, non-owning view of an event's fields: what the detect path needs (names, types,
// texts, numbers) without owning a string per field. The views point into whatever holds the
// bytes (a core::event, or a json_decoder's buffers) and are valid as long as that lives
// unchanged. Reused from event to event, it allocates nothing once its capacity has grown.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/event.hpp"

namespace talaia::core {

struct field_view {
  std::string_view name;
  field_type type = field_type::string;
  std::string_view text;
  std::int64_t number = 0;
};

class event_view {
 public:
  event_view() = default;
  explicit event_view(const event& ev) { assign(ev); }

  // Views of ev's fields, in ev's order.
  void assign(const event& ev);
  void clear() { fields_.clear(); }
  // Appends a field; the caller keeps names unique (event semantics).
  void push_back(const field_view& f) { fields_.push_back(f); }

  const field_view* find(std::string_view name) const {
    for (const field_view& f : fields_)
      if (same_text(f.name, name)) return &f;
    return nullptr;
  }
  // Text of a field, or empty when absent.
  std::string_view text(std::string_view name) const {
    const field_view* f = find(name);
    return f ? f->text : std::string_view();
  }
  bool has(std::string_view name) const { return find(name) != nullptr; }
  std::span<const field_view> fields() const { return fields_; }
  std::span<field_view> mutable_fields() { return fields_; }

  // An owning copy.
  event to_event() const;

 private:
  std::vector<field_view> fields_;
};

}  // namespace talaia::core
