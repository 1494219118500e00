#pragma once
// The event's JSON form: one flat object. Encoding is ours (it must escape bytes that are not
// UTF-8 instead of emitting invalid JSON); decoding uses simdjson on demand.
#include <memory>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/event_view.hpp"
#include "core/result.hpp"

namespace talaia::core {

// Appends `s` as a JSON string literal. Valid UTF-8 passes through; every byte that is not part
// of a valid UTF-8 sequence is written as \u00XX (its Latin-1 reading), so nothing is dropped.
void append_json_string(std::string& out, std::string_view s);
// The same literal written at `p`, which has room for 6 * s.size() + 2 bytes; returns its end.
char* write_json_string(char* p, std::string_view s);

// Adds "name":"value" as the last member of `object`, the text of a JSON object ('}' last).
void append_string_member(std::string& object, std::string_view name, std::string_view value);

// {"name":value,...}: integers as numbers, everything else as strings.
void append_event_json(std::string& out, const event& ev);
std::string encode_event(const event& ev);

// Decodes one JSON object into an event. Nested objects are flattened with dots ("a.b"), arrays
// and booleans kept as their JSON text, nulls skipped. Field types come from the value (numbers
// that fit int64 are integers) and from well-known names (time and address fields).
result<event> decode_event(std::string_view json);

// The same decoding into views, for the hot path: one decoder per thread, reused, allocates
// nothing once its buffers have grown to the size of the messages it sees. The fields, their
// order, types and texts, and the error messages are exactly decode_event's. The views in `out`
// point into the decoder and stay valid until its next decode().
class json_decoder {
 public:
  json_decoder();
  ~json_decoder();
  json_decoder(json_decoder&&) noexcept;
  json_decoder& operator=(json_decoder&&) noexcept;

  result<void> decode(std::string_view json, event_view& out);

  struct state;  // simdjson's parser and the buffers (json.cpp)

 private:
  std::unique_ptr<state> state_;
};

// The string value of one top-level field of a JSON object, without decoding the rest; empty
// when the text is no object or the field is absent or not a string.
std::string string_field(std::string_view json, std::string_view name);

// The type a well-known field name carries (time for `received`, ip for `peer`, ...).
field_type known_field_type(std::string_view name);

}  // namespace talaia::core
