#pragma once
// The event's JSON form: one flat object. Encoding is ours (it must escape bytes that are not
// UTF-8 instead of emitting invalid JSON); decoding uses simdjson on demand.
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/result.hpp"

namespace talaia::core {

// Appends `s` as a JSON string literal. Valid UTF-8 passes through; every byte that is not part
// of a valid UTF-8 sequence is written as \u00XX (its Latin-1 reading), so nothing is dropped.
void append_json_string(std::string& out, std::string_view s);

// {"name":value,...}: integers as numbers, everything else as strings.
void append_event_json(std::string& out, const event& ev);
std::string encode_event(const event& ev);

// Decodes one JSON object into an event. Nested objects are flattened with dots ("a.b"), arrays
// and booleans kept as their JSON text, nulls skipped. Field types come from the value (numbers
// that fit int64 are integers) and from well-known names (time and address fields).
result<event> decode_event(std::string_view json);

// The string value of one top-level field of a JSON object, without decoding the rest; empty
// when the text is no object or the field is absent or not a string.
std::string string_field(std::string_view json, std::string_view name);

// The type a well-known field name carries (time for `received`, ip for `peer`, ...).
field_type known_field_type(std::string_view name);

}  // namespace talaia::core
