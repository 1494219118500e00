#pragma once
// The normalized event: a flat, ordered set of named, typed fields. Everything about an event is
// a field, including `id`, `kind`, `received`, `peer` and `raw`, so the JSON form is one flat
// object and any producer that writes such objects can be detected on.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace talaia::core {

enum class field_type : std::uint8_t { string, integer, ip, time };

struct field {
  std::string name;
  field_type type = field_type::string;
  std::string text;         // the value as text (RFC 3339 UTC for time, dotted/colon form for ip)
  std::int64_t number = 0;  // integer value; microseconds since the epoch for time
};

class event {
 public:
  event() = default;
  event(const event& other);
  event(event&& other) noexcept;
  event& operator=(const event& other);
  event& operator=(event&& other) noexcept;
  ~event() = default;

  // The accessors and setters taking a name are inline and hand on the name's lookup bucket with
  // it: for a literal name (most calls) the compiler computes the bucket, and the lookup starts
  // without reading the name's bytes.
  const field* find(std::string_view name) const { return find(name, bucket_of(name)); }
  // Text of a field, or empty when absent (use find() where absent and empty differ).
  std::string_view text(std::string_view name) const {
    const field* f = find(name, bucket_of(name));
    return f ? std::string_view(f->text) : std::string_view();
  }
  bool has(std::string_view name) const { return find(name, bucket_of(name)) != nullptr; }

  // Setters replace a field of the same name, keeping its position. A value may be a view of
  // this event's own texts (another field's, or the same field's).
  void set_string(std::string_view name, std::string_view value) { set_string(name, bucket_of(name), value); }
  void set_integer(std::string_view name, std::int64_t value) { set_integer(name, bucket_of(name), value); }
  void set_ip(std::string_view name, std::string_view value) { set_ip(name, bucket_of(name), value); }
  // Stores RFC 3339 text too.
  void set_time(std::string_view name, std::int64_t micros) { set_time(name, bucket_of(name), micros); }
  // The same time as another field's: its text is copied, not formatted again.
  void copy_time(std::string_view name, const field& time) { copy_time(name, bucket_of(name), time); }
  void set(const field& f);
  void set(field&& f);
  void erase(std::string_view name);
  // No fields; keeps every field's storage (names and texts included), so an event reused line
  // after line stops allocating.
  void clear() {
    size_ = 0;
    index_.fill(0);
    overflow_ = false;
  }

  std::span<const field> fields() const { return {fields_.data(), size_}; }
  // Room for n fields without moving them (a builder that knows how many it will set).
  void reserve(std::size_t n) { fields_.reserve(n); }

 private:
  // A name's bucket in index_: length, first, middle and last bytes.
  static constexpr std::size_t bucket_of(std::string_view n) {
    if (n.empty()) return 0;
    const auto at = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(n[i])); };
    return (n.size() * 31 + at(0) * 7 + at(n.size() - 1) * 3 + at(n.size() / 2)) & 63;
  }
  // With the name's bucket (in registers: a struct of both would go through memory).
  const field* find(std::string_view name, std::size_t bucket) const;
  void set_string(std::string_view name, std::size_t bucket, std::string_view value);
  void set_integer(std::string_view name, std::size_t bucket, std::int64_t value);
  void set_ip(std::string_view name, std::size_t bucket, std::string_view value);
  void set_time(std::string_view name, std::size_t bucket, std::int64_t micros);
  void copy_time(std::string_view name, std::size_t bucket, const field& time);
  field& slot(std::string_view name, std::size_t bucket);
  std::size_t position_of(std::string_view name, std::size_t bucket) const;  // size_ when absent
  // True when `v` points into fields_'s own storage: a short (in-place) text of one of our fields,
  // which moves when slot() grows the list. Longer texts live on the heap and stay put.
  bool inside_field_list(std::string_view v) const;
  void chain(std::size_t position, std::size_t bucket);  // links a new field into its bucket
  void reindex();

  std::vector<field> fields_;  // [0, size_) are the fields; the rest are spare storage
  std::size_t size_ = 0;
  // Where to look a name up: bucket -> position + 1 of the last field set whose name falls there,
  // 0 for none; next_[position] chains to the field set before it in the same bucket. Only the
  // first 255 positions are chained (what a byte holds); overflow_ says there are more, which
  // lookups then compare one by one. Parsers set a field at a time, so this saves comparing every
  // name, and a name that shares its bucket costs only the names of that bucket.
  std::array<std::uint8_t, 64> index_{};
  std::vector<std::uint8_t> next_;  // in step with fields_ up to 255 positions; stale beyond size_
  bool overflow_ = false;
};

}  // namespace talaia::core
