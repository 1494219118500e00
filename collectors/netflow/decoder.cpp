#include "collectors/netflow/decoder.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "collectors/netflow/fields.hpp"
#include "collectors/netflow/sflow.hpp"
#include "collectors/netflow/v5.hpp"
#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/decimal.hpp"
#include "core/json.hpp"

namespace talaia::collectors::netflow {

decoder_limits limits_of(const core::netflow_options_config& o) {
  decoder_limits l;
  l.max_exporters = o.max_exporters;
  l.max_templates_per_exporter = o.max_templates_per_exporter;
  l.max_held_sets = o.max_held_sets;
  l.max_held_bytes = o.max_held_bytes;
  l.template_lifetime_micros = static_cast<std::int64_t>(o.template_lifetime.count()) * 1000;
  l.held_lifetime_micros = static_cast<std::int64_t>(o.held_lifetime.count()) * 1000;
  return l;
}

namespace {

constexpr std::uint16_t variable_length = 0xFFFF;
constexpr std::uint64_t no_selector = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t max_forward_gap = 1u << 20;  // a bigger jump is a restart, not loss
constexpr std::uint16_t sflow_version_key = 0xF105;  // sFlow in the exporter table (its own numbering)
constexpr std::size_t max_interface_names = 4096;     // per exporter and domain
constexpr std::size_t max_spare = 4096;               // events kept for reuse
constexpr std::size_t max_interface_name = 256;       // bytes kept of an interface name from options data

// Callers check lengths (fixed-length records once for all their fields).
using core::be16;
using core::be32;
using core::load_be16;
using core::load_be32;
using core::load_be64;

struct field_spec {
  std::uint16_t id = 0;
  std::uint16_t length = 0;
  std::uint32_t enterprise = 0;
  bool scope = false;  // a v9 options scope field (its id is a scope type, not an element)
  bool operator==(const field_spec&) const = default;
};

// A field's JSON key, `,"name":`, in a slot of fixed size that json_writer copies whole (cheaper
// than a copy of the key's own length); size 0 for a name too long for the slot.
struct json_key {
  static constexpr std::size_t slot = 32;
  std::array<char, slot> text{};
  std::uint8_t size = 0;
};

// The key of a name that needs no escaping (the decoder's names: letters, digits, '.', '_').
constexpr json_key key_of(std::string_view name) {
  json_key k;
  if (name.size() + 4 > json_key::slot) return k;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) return k;
  std::size_t n = 0;
  k.text[n++] = ',';
  k.text[n++] = '"';
  for (char c : name) k.text[n++] = c;
  k.text[n++] = '"';
  k.text[n++] = ':';
  k.size = static_cast<std::uint8_t>(n);
  return k;
}

// What the decoder does with a field besides writing it: sampling scales bytes and packets (the
// raw counts kept), interface indexes get their names from options data.
enum class field_role : std::uint8_t { none, bytes, packets, in_if, out_if };
constexpr std::size_t field_role_count = 5;

// How a field of an all-fixed-length template is written to JSON, its kind and length decided
// when the template arrives (the general path checks both for every field of every record).
enum class fixed_step : std::uint8_t { general, u8, u16, u32, u64, ipv4, ipv6, uptime, millis, skip };

constexpr fixed_step fixed_step_of(value_kind kind, std::uint16_t length) {
  switch (kind) {
    case value_kind::integer:
      return length == 1   ? fixed_step::u8
             : length == 2 ? fixed_step::u16
             : length == 4 ? fixed_step::u32
             : length == 8 ? fixed_step::u64
                           : fixed_step::general;
    case value_kind::ipv4: return length == 4 ? fixed_step::ipv4 : fixed_step::general;
    case value_kind::ipv6: return length == 16 ? fixed_step::ipv6 : fixed_step::general;
    case value_kind::uptime_start:
    case value_kind::uptime_end: return length == 4 ? fixed_step::uptime : fixed_step::general;
    case value_kind::millis: return length == 8 ? fixed_step::millis : fixed_step::general;
    case value_kind::skip: return fixed_step::skip;
    default: return fixed_step::general;
  }
}

// A template field as flow records write it, resolved once when the template arrives (kept
// together: a record's fields are read in one walk).
struct resolved_field {
  json_key key;  // the name as the JSON form writes it
  value_kind kind = value_kind::integer;
  field_role role = field_role::none;
  fixed_step step = fixed_step::general;  // when every field of the template has a fixed length
  std::uint16_t length = 0;  // as the field_spec's
  std::uint32_t offset = 0;  // in the record, when every field of the template has a fixed length
  std::string name;          // event field name
};

struct flow_template {
  std::vector<field_spec> fields;
  std::vector<resolved_field> resolved;  // flow templates: fields[i] as records write it
  bool options = false;
  bool states_rate = false;  // a field of the record states its own sampling (34, 50, 305-310, 48/302)
  bool json_direct = false;  // every name a record can have is distinct: JSON is written without an event
  std::size_t json_bound = 0;  // the longest JSON of a record's fields, less 6 per byte of the record
  std::size_t min_length = 0;  // fixed lengths plus one byte per variable-length field
  std::size_t fixed_length = 0;  // a record's length when every field has a fixed one, else 0
  std::int64_t last_used = 0;
};

struct exporter_key {
  std::string address;
  std::uint16_t port = 0;
  std::uint16_t version = 0;
  std::uint32_t domain = 0;
  bool operator==(const exporter_key&) const = default;
};

struct exporter_key_hash {
  std::size_t operator()(const exporter_key& k) const {
    return std::hash<std::string>()(k.address) ^ (static_cast<std::size_t>(k.port) << 1) ^
           (static_cast<std::size_t>(k.version) << 17) ^ (static_cast<std::size_t>(k.domain) * 0x9E3779B97F4A7C15ULL);
  }
};

// Where decoded flow records go: events (decode) or their JSON form (decode_json).
struct record_sink {
  std::vector<core::event>* events = nullptr;
  core::text_batch* json = nullptr;
  event_ids* ids = nullptr;  // json: each object's last member, its id
};

// What a data set needs from its packet header to be decoded later.
struct packet_context {
  std::uint16_t version = 0;
  std::uint32_t uptime_ms = 0;  // v9 only
  std::int64_t export_micros = 0;
  std::uint32_t domain = 0;
  std::int64_t received = 0;
  std::string peer;
};

// A v9 record's sysUpTime `t_ms` as a time: the export time less how long before the export it was.
std::int64_t v9_uptime_micros(const packet_context& ctx, std::uint32_t t_ms) {
  const std::int64_t ago_ms = static_cast<std::int32_t>(ctx.uptime_ms - t_ms);
  return ctx.export_micros - ago_ms * 1000;
}

struct held_set {
  std::uint16_t template_id = 0;
  std::string bytes;
  packet_context ctx;
};

struct exporter_state {
  std::unordered_map<std::uint16_t, flow_template> templates;
  std::map<std::uint64_t, std::uint64_t> sampling;  // selector (or no_selector) -> 1 in N
  std::int64_t system_init_micros = -1;              // IPFIX: uptime origin from options data
  std::map<std::uint64_t, std::string> interface_names;  // if index -> name, from options data
  std::deque<held_set> held;
  bool sequence_known = false;
  std::uint32_t next_sequence = 0;
  std::uint32_t last_sequence = 0;
  std::int64_t last_seen = 0;
  // decode_json: what every flow record of this exporter has after its receive time (peer,
  // exporter, version, domain) as JSON members, and the peer text they were written for.
  std::string json_members_peer, json_members;
};

std::size_t min_length_of(const std::vector<field_spec>& fields) {
  std::size_t n = 0;
  for (const auto& f : fields) n += f.length == variable_length ? 1 : f.length;
  return n;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

// An unsigned value too large for an event's integer: it is kept as a string.
bool beyond_int64(std::uint64_t v) { return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()); }

void set_unsigned(core::event& ev, std::string_view name, std::uint64_t v) {
  if (beyond_int64(v)) ev.set_string(name, std::to_string(v));
  else ev.set_integer(name, static_cast<std::int64_t>(v));
}

// A time of `v` units (1: microseconds, 1000: milliseconds, 1000000: seconds) since the epoch,
// capped at the end of year 9999: exporter bytes must not overflow the arithmetic.
std::int64_t capped_time(std::uint64_t v, std::int64_t unit) {
  constexpr std::int64_t max_micros = 253402300799LL * 1000000;
  return v > static_cast<std::uint64_t>(max_micros / unit) ? max_micros : static_cast<std::int64_t>(v) * unit;
}

// NTP timestamp (seconds since 1900, fraction) to microseconds since 1970.
std::int64_t ntp_micros(std::string_view b, bool nanos_precision) {
  const std::int64_t secs = static_cast<std::int64_t>(be32(b, 0)) - 2208988800LL;
  std::uint64_t frac = be32(b, 4);
  if (!nanos_precision) frac &= ~std::uint64_t{0x7FF};  // dateTimeMicroseconds: low 11 bits unused
  return secs * 1000000 + static_cast<std::int64_t>((frac * 1000000) >> 32);
}

// The sampling a record (flow or options data) states about itself, field by field.
struct sampling_fields {
  std::uint64_t interval34 = 0, random50 = 0, pkt_interval = 0, pkt_space = 0, size = 0, population = 0;
  std::uint64_t selector = no_selector;
  bool has_space = false;

  static bool states(std::uint16_t id) {
    switch (id) {
      case 34: case 50: case 305: case 306: case 309: case 310: case 48: case 302: return true;
      default: return false;
    }
  }
  // Takes IANA element `id`'s value when it is one of the sampling elements.
  void take(std::uint16_t id, std::uint64_t x) {
    switch (id) {
      case 34: interval34 = x; break;
      case 50: random50 = x; break;
      case 305: pkt_interval = x; break;
      case 306: pkt_space = x, has_space = true; break;
      case 309: size = x; break;
      case 310: population = x; break;
      case 48: case 302: selector = x; break;
      default: break;
    }
  }
  // The rate stated (1 in N), or 0.
  std::uint64_t rate() const {
    if (size > 0 && population > 0) return std::max<std::uint64_t>(1, population / size);
    if (pkt_interval > 0 && has_space) return (pkt_interval + pkt_space) / pkt_interval;
    if (interval34 > 0) return interval34;
    if (random50 > 0) return random50;
    return 0;
  }
};

// A field the decoder writes besides a template's own, with its key. The writers below take it
// or a resolved_field: anything with a `name` and its `key`.
struct added_field {
  std::string_view name;
  json_key key;
  constexpr explicit added_field(std::string_view n) : name(n), key(key_of(n)) {}
};
// IPFIX uptimes without a system init time (in place of `start` and `end`).
constexpr added_field start_uptime_ms{"start_uptime_ms"}, end_uptime_ms{"end_uptime_ms"};
// After a record's fields.
constexpr added_field in_if_name{"in_if_name"}, out_if_name{"out_if_name"}, sampling_rate{"sampling_rate"},
    bytes_raw{"bytes_raw"}, packets_raw{"packets_raw"};
constexpr const added_field* after_fields[] = {&in_if_name, &out_if_name, &sampling_rate, &bytes_raw, &packets_raw};
// Before a record's fields (`id` comes from the listener, after them all).
constexpr std::string_view shared_names[] = {"kind", "received", "peer", "exporter", "flow_version", "observation_domain", "id"};

field_role role_of(std::string_view name) {
  if (name == "bytes") return field_role::bytes;
  if (name == "packets") return field_role::packets;
  if (name == "in_if") return field_role::in_if;
  if (name == "out_if") return field_role::out_if;
  return field_role::none;
}

// Writes a record's fields into an event (decode)...
struct event_writer {
  core::event& ev;
  template <typename named_t>
  void integer(const named_t& f, std::uint64_t v) { set_unsigned(ev, f.name, v); }
  template <typename named_t>
  void string(const named_t& f, std::string_view v) { ev.set_string(f.name, v); }
  template <typename named_t>
  void ip(const named_t& f, std::string_view raw) {  // 4 or 16 bytes
    char text[48];
    ev.set_ip(f.name, {text, raw.size() == 4 ? format_ipv4(raw, text) : format_ipv6(raw, text)});
  }
  template <typename named_t>
  void time(const named_t& f, std::int64_t micros) { ev.set_time(f.name, micros); }
};

// ...or straight into its JSON form (decode_json), as core::encode_event would write that event,
// into a buffer with room for the longest form the record can take (the bounds below).
struct json_writer {
  char* p;
  core::rfc3339_writer& times;

  void put(std::string_view v) {
    std::memcpy(p, v.data(), v.size());
    p += v.size();
  }
  void put(const json_key& k) {
    std::memcpy(p, k.text.data(), json_key::slot);
    p += k.size;
  }
  // Inlined into the record loop: most of a record's fields are integers, and the call's own
  // register saving cost a fifth of the writing.
  template <typename named_t>
  [[gnu::always_inline]] void integer(const named_t& f, std::uint64_t v) {
    put(f.key);
    const bool big = beyond_int64(v);  // a string, as set_unsigned makes it
    if (big) *p++ = '"';
    p = core::write_decimal(p, v);
    if (big) *p++ = '"';
  }
  // A one-byte integer: its digits from the octet table, copied whole (the byte after them, a
  // dot, is overwritten by whatever comes next).
  template <typename named_t>
  [[gnu::always_inline]] void octet(const named_t& f, unsigned char v) {
    put(f.key);
    std::memcpy(p, ipv4_octets.text[v], 4);
    p += ipv4_octets.digits[v];
  }
  // An integer of at most 4 bytes: never beyond int64.
  template <typename named_t>
  [[gnu::always_inline]] void small_integer(const named_t& f, std::uint64_t v) {
    put(f.key);
    p = core::write_decimal(p, v);
  }
  template <typename named_t>
  void string(const named_t& f, std::string_view v) {
    put(f.key);
    p = core::write_json_string(p, v);
  }
  // Short texts are formatted in place or copied at their longest size, so that no call to a
  // copy routine is made for a few bytes (the bounds below leave the room).
  template <typename named_t>
  void ip(const named_t& f, std::string_view raw) {  // 4 or 16 bytes; address texts need no escaping
    put(f.key);
    *p++ = '"';
    p += raw.size() == 4 ? format_ipv4(raw, p) : format_ipv6(raw, p);
    *p++ = '"';
  }
  // Inlined as the integers are: a flow record has two times.
  template <typename named_t>
  [[gnu::always_inline]] void time(const named_t& f, std::int64_t micros) {
    put(f.key);
    *p++ = '"';
    p = times.write(p, micros);
    *p++ = '"';
  }
};

// Bounds of what json_writer writes: a key and its value at most 80 characters, or 6 per byte of
// the value (a text escaped as \u00XX); what the decoder adds after the fields is at most
// added_json_bound; and the slack of a key's fixed-size copy.
constexpr std::size_t field_json_bound = 80;
constexpr std::size_t added_json_bound = 2 * (json_key::slot + 6 * max_interface_name + 2) + 3 * 64 + json_key::slot;

}  // namespace

struct decoder::state {
  decoder_limits limits;
  decoder_stats stats;
  std::unordered_map<exporter_key, exporter_state, exporter_key_hash> exporters;
  std::size_t held_count = 0, held_bytes = 0;
  std::vector<core::event> spare;  // events handed back by recycle(), reused for new records
  std::vector<core::event> scratch;  // v5 and sFlow events on their way to JSON
  std::vector<char> json_buffer;     // where a record's JSON is written
  std::string json_text;             // where an event's JSON is written
  core::rfc3339_writer json_times;   // its times
  std::uint64_t set_next_id = 0;     // the ids taken for the data set being written
  std::size_t set_ids_left = 0;

  core::event new_event() {
    if (spare.empty()) return core::event();
    core::event ev = std::move(spare.back());
    spare.pop_back();
    return ev;
  }

  // The state of an exporter, made on first sight; null when the table is full.
  exporter_state* exporter(const exporter_key& key, std::int64_t now) {
    auto it = exporters.find(key);
    if (it != exporters.end()) {
      it->second.last_seen = now;
      return &it->second;
    }
    if (exporters.size() >= limits.max_exporters && !evict_idle_exporter(now)) {
      ++stats.exporter_limit;
      return nullptr;
    }
    auto& e = exporters[key];
    e.last_seen = now;
    return &e;
  }

  bool evict_idle_exporter(std::int64_t now) {
    if (limits.template_lifetime_micros <= 0) return false;
    for (auto it = exporters.begin(); it != exporters.end(); ++it) {
      if (now - it->second.last_seen > limits.template_lifetime_micros) {
        drop_held(it->second, it->second.held.size());
        stats.templates_expired += it->second.templates.size();
        exporters.erase(it);
        return true;
      }
    }
    return false;
  }

  void drop_held(exporter_state& e, std::size_t n) {
    for (std::size_t i = 0; i < n && !e.held.empty(); ++i) {
      held_count -= 1;
      held_bytes -= e.held.front().bytes.size();
      e.held.pop_front();
      ++stats.held_dropped;
    }
  }

  const flow_template* find_template(exporter_state& e, std::uint16_t id, std::int64_t now) {
    auto it = e.templates.find(id);
    if (it == e.templates.end()) return nullptr;
    if (limits.template_lifetime_micros > 0 && now - it->second.last_used > limits.template_lifetime_micros) {
      e.templates.erase(it);
      ++stats.templates_expired;
      return nullptr;
    }
    it->second.last_used = std::max(it->second.last_used, now);
    return &it->second;
  }

  // Adds or refreshes a template, then decodes the data held for it. False: refused (limit).
  bool add_template(exporter_state& e, std::uint16_t id, flow_template t, std::int64_t now, record_sink& out,
                    std::size_t& appended) {
    ++stats.templates;
    // Exporters send their templates again every few seconds or packets: one unchanged is only
    // renewed, not resolved again.
    if (auto same = e.templates.find(id);
        same != e.templates.end() && same->second.options == t.options && same->second.fields == t.fields) {
      same->second.last_used = std::max(same->second.last_used, now);
      release_held(e, id, now, out, appended);
      return true;
    }
    t.min_length = min_length_of(t.fields);
    t.last_used = now;
    std::vector<std::string_view> all_names(std::begin(shared_names), std::end(shared_names));
    for (const added_field* a : after_fields) all_names.push_back(a->name);
    for (const auto& f : t.fields) {
      const element_info info = element(f.enterprise, f.id);
      resolved_field& r = t.resolved.emplace_back();
      r.name = info.name.empty() ? unnamed_element(f.enterprise, f.id) : std::string(info.name);
      r.key = key_of(r.name);
      r.kind = info.kind;
      r.role = role_of(r.name);
      r.length = f.length;
      if (f.enterprise == 0 && sampling_fields::states(f.id)) t.states_rate = true;
      if (info.kind == value_kind::uptime_start) all_names.push_back(start_uptime_ms.name);
      if (info.kind == value_kind::uptime_end) all_names.push_back(end_uptime_ms.name);
    }
    for (const auto& r : t.resolved) all_names.push_back(r.name);
    if (std::none_of(t.fields.begin(), t.fields.end(), [](const field_spec& f) { return f.length == variable_length; })) {
      for (auto& r : t.resolved) {
        r.offset = static_cast<std::uint32_t>(t.fixed_length);
        r.step = fixed_step_of(r.kind, r.length);
        t.fixed_length += r.length;
      }
    }
    t.json_bound = added_json_bound + t.resolved.size() * field_json_bound;
    std::sort(all_names.begin(), all_names.end());
    t.json_direct = std::adjacent_find(all_names.begin(), all_names.end()) == all_names.end() &&
                    std::none_of(t.resolved.begin(), t.resolved.end(), [](const resolved_field& r) { return r.key.size == 0; });
    auto it = e.templates.find(id);
    if (it == e.templates.end() && e.templates.size() >= limits.max_templates_per_exporter) {
      ++stats.template_limit;
      return false;
    }
    e.templates[id] = std::move(t);
    release_held(e, id, now, out, appended);
    return true;
  }

  void withdraw(exporter_state& e, std::uint16_t id, bool options_set) {
    if (id == 2 || id == 3) {  // IPFIX: withdraw all (options) templates
      for (auto it = e.templates.begin(); it != e.templates.end();)
        if (it->second.options == (id == 3)) it = e.templates.erase(it), ++stats.templates_withdrawn;
        else ++it;
      return;
    }
    auto it = e.templates.find(id);
    if (it != e.templates.end() && it->second.options == options_set) {
      e.templates.erase(it);
      ++stats.templates_withdrawn;
    }
  }

  void hold(exporter_state& e, std::uint16_t template_id, std::string_view bytes, const packet_context& ctx) {
    expire_held(e, ctx.received);
    if (held_count >= limits.max_held_sets || held_bytes + bytes.size() > limits.max_held_bytes) {
      ++stats.held_dropped;
      return;
    }
    e.held.push_back({template_id, std::string(bytes), ctx});
    ++held_count;
    held_bytes += bytes.size();
    ++stats.held_sets;
  }

  void expire_held(exporter_state& e, std::int64_t now) {
    std::size_t old = 0;
    while (old < e.held.size() && now - e.held[old].ctx.received > limits.held_lifetime_micros) ++old;
    drop_held(e, old);
  }

  void release_held(exporter_state& e, std::uint16_t id, std::int64_t now, record_sink& out,
                    std::size_t& appended) {
    expire_held(e, now);
    for (auto it = e.held.begin(); it != e.held.end();) {
      if (it->template_id != id) {
        ++it;
        continue;
      }
      held_set h = std::move(*it);
      it = e.held.erase(it);
      --held_count;
      held_bytes -= h.bytes.size();
      ++stats.held_decoded;
      const flow_template& t = e.templates[id];
      std::size_t records = 0;
      (void)decode_data_set(e, t, h.bytes, h.ctx, out, appended, records);
    }
  }

  // Decodes the records of one data set; false when a record overruns the set.
  bool decode_data_set(exporter_state& e, const flow_template& t, std::string_view set, const packet_context& ctx,
                       record_sink& out, std::size_t& appended, std::size_t& records) {
    if (t.min_length == 0) return false;
    // The fields every record of the set shares, formatted once.
    core::event proto;
    std::size_t proto_json_size = 0;  // json: the same, as the open start of a JSON object
    const bool json = out.json && t.json_direct;
    if (!t.options && !json) proto = shared_fields(ctx);
    if (!t.options && json) {
      // The shared start is written once into the record buffer; each record is written after
      // it. Room for the longest record the rest of the set can hold.
      const std::string& members = shared_json_members(e, ctx);
      constexpr std::string_view head = R"({"kind":"flow","received":")";
      const std::size_t bound = head.size() + core::rfc3339_max + 2 + members.size() + t.json_bound + 6 * set.size() +
                                (out.ids ? out.ids->member_room() : 0) + 1;
      if (json_buffer.size() < bound) json_buffer.resize(bound);
      char* p = json_buffer.data();
      std::memcpy(p, head.data(), head.size());
      p = json_times.write(p + head.size(), ctx.received);
      *p++ = '"';
      *p++ = ',';
      std::memcpy(p, members.data(), members.size());
      proto_json_size = static_cast<std::size_t>(p + members.size() - json_buffer.data());
      // A set of fixed-length records holds a known number of them: their ids are taken in one
      // atomic step (sequences of a record that then fails are left unused).
      set_ids_left = out.ids && t.fixed_length != 0 ? set.size() / t.fixed_length : 0;
      if (set_ids_left != 0) set_next_id = out.ids->take(set_ids_left);
    }
    std::size_t at = 0;
    while (set.size() - at >= t.min_length) {
      std::size_t used = 0;
      const std::string_view rec = set.substr(at);
      bool ok = t.options ? apply_options_record(e, t, rec, used)
                : json    ? decode_flow_record_json(e, t, rec, ctx, proto_json_size, out, used)
                          : decode_flow_record(e, t, rec, ctx, proto, out, used);
      if (!ok) return false;
      at += used;
      ++records;
      if (t.options) ++stats.options_records;
      else ++stats.flow_records, ++appended;
    }
    return true;  // what is left is padding
  }

  // The fields every flow record of a packet starts with, in this order.
  static core::event shared_fields(const packet_context& ctx) {
    core::event proto;
    proto.set_string("kind", "flow");
    proto.set_time("received", ctx.received);
    proto.set_ip("peer", ctx.peer);
    proto.set_ip("exporter", normalise_address(ctx.peer));
    proto.set_integer("flow_version", ctx.version);
    proto.set_integer("observation_domain", ctx.domain);
    return proto;
  }

  // Those after `received`, as encode_event writes them without the object's braces: they are
  // the same for every packet of an exporter, so they are encoded once (again if its peer's
  // text changes).
  static const std::string& shared_json_members(exporter_state& e, const packet_context& ctx) {
    if (e.json_members.empty() || e.json_members_peer != ctx.peer) {
      core::event rest = shared_fields(ctx);
      rest.erase("kind");
      rest.erase("received");
      e.json_members = core::encode_event(rest);
      e.json_members = e.json_members.substr(1, e.json_members.size() - 2);
      e.json_members_peer = ctx.peer;
    }
    return e.json_members;
  }

  // The value of a field of `length` (fixed, or variable_length: its length read first) at `at`
  // in `rec`, `at` moved past it; false when a length overruns.
  static bool next_value(std::string_view rec, std::size_t& at, std::size_t length, std::string_view& v) {
    if (length == variable_length) {
      if (at + 1 > rec.size()) return false;
      length = static_cast<unsigned char>(rec[at++]);
      if (length == 255) {
        if (at + 2 > rec.size()) return false;
        length = be16(rec, at);
        at += 2;
      }
    }
    if (length > rec.size() - at) return false;
    v = rec.substr(at, length);
    at += length;
    return true;
  }

  // Splits one record into (field, value bytes); false when a length overruns.
  template <typename fn_t>
  static bool for_each_value(const flow_template& t, std::string_view rec, std::size_t& used, fn_t&& fn) {
    std::size_t at = 0;
    for (const auto& f : t.fields) {
      std::string_view v;
      if (!next_value(rec, at, f.length, v)) return false;
      fn(f, v);
    }
    used = at;
    return true;
  }

  // The same over a flow template's resolved fields; a record of fixed-length fields is split by
  // their offsets after one length check.
  template <typename fn_t>
  static bool for_each_field_value(const flow_template& t, std::string_view rec, std::size_t& used, fn_t&& fn) {
    const bool fixed = t.fixed_length != 0 && rec.size() >= t.fixed_length;
    std::size_t at = 0;
    for (const auto& f : t.resolved) {
      std::string_view v;
      if (fixed) v = std::string_view(rec.data() + f.offset, f.length);
      else if (!next_value(rec, at, f.length, v)) return false;
      fn(f, v);
    }
    used = fixed ? t.fixed_length : at;
    return true;
  }

  bool apply_options_record(exporter_state& e, const flow_template& t, std::string_view rec, std::size_t& used) {
    sampling_fields sampling;
    std::int64_t init = -1;
    std::optional<std::uint64_t> if_index;
    std::string_view if_name;
    const bool ok = for_each_value(t, rec, used, [&](const field_spec& f, std::string_view v) {
      if (f.enterprise != 0 || v.empty()) return;
      if (f.id == 82 && !f.scope) if_name = v;  // interfaceName
      // The interface an options record describes: v9 scope "interface" (2), IPFIX ingressInterface.
      if (v.size() <= 8 && ((f.scope && f.id == 2) || (!f.scope && f.id == 10))) if_index = read_unsigned(v);
      if (f.scope || v.size() > 8) return;
      const std::uint64_t x = read_unsigned(v);
      sampling.take(f.id, x);
      if (f.id == 160) init = capped_time(x, 1000);
    });
    if (!ok) return false;
    if (const std::uint64_t rate = sampling.rate()) e.sampling[sampling.selector] = rate;
    if (init >= 0) e.system_init_micros = init;
    if (if_index && !if_name.empty()) {
      while (!if_name.empty() && if_name.back() == '\0') if_name.remove_suffix(1);
      if (e.interface_names.size() < max_interface_names || e.interface_names.count(*if_index))
        e.interface_names[*if_index] = std::string(if_name.substr(0, max_interface_name));
    }
    return true;
  }

  std::uint64_t rate_for(const exporter_state& e, std::uint64_t selector) const {
    if (e.sampling.empty()) [[likely]] return 0;
    if (selector != no_selector)
      if (auto it = e.sampling.find(selector); it != e.sampling.end()) return it->second;
    if (auto it = e.sampling.find(no_selector); it != e.sampling.end()) return it->second;
    return 0;
  }

  // The sampling rate of a flow record whose template states one (t.states_rate): the one it
  // states, else its exporter's for its selector.
  std::uint64_t sampling_rate_of(const exporter_state& e, const flow_template& t, std::string_view rec) const {
    sampling_fields sampling;
    std::size_t used = 0;
    (void)for_each_value(t, rec, used, [&](const field_spec& f, std::string_view v) {
      if (f.enterprise == 0 && !v.empty() && v.size() <= 8) sampling.take(f.id, read_unsigned(v));
    });
    if (const std::uint64_t rate = sampling.rate()) return rate;
    return rate_for(e, sampling.selector);
  }

  // Writes one flow data record through `w` (event_writer or json_writer): its fields in the
  // template's order, then what the decoder adds (interface names, sampling rate, raw counts).
  // Setting a name twice replaces the value in an event; json_writer is only given templates
  // whose names are distinct, so both write the same fields.
  template <typename writer_t>
  bool write_flow_record(const exporter_state& e, const flow_template& t, std::string_view rec, const packet_context& ctx,
                         writer_t& w, std::size_t& used) const {
    const std::uint64_t rate = t.states_rate ? sampling_rate_of(e, t, rec) : rate_for(e, no_selector);
    // The roles' values are only needed for what is written after the fields (scaled counts,
    // interface names); most exporters' records have neither, and skip their bookkeeping.
    if (rate > 1 || !e.interface_names.empty()) return write_flow_fields<true>(e, t, rec, ctx, rate, w, used);
    if constexpr (std::is_same_v<writer_t, json_writer>) {
      if (t.fixed_length != 0 && rec.size() >= t.fixed_length) {
        write_fixed_fields(e, t, rec.data(), ctx, w);
        used = t.fixed_length;
        return true;
      }
    }
    return write_flow_fields<false>(e, t, rec, ctx, rate, w, used);
  }

  using role_values = std::array<std::optional<std::uint64_t>, field_role_count>;

  // Writes one field's value `v` through `w`; with_roles: keeps its role's value in `role_value`
  // and scales counts by `rate`.
  template <bool with_roles, typename writer_t>
  [[gnu::always_inline]] void write_field(const exporter_state& e, const packet_context& ctx, std::uint64_t rate,
                                          role_values* role_value, const resolved_field& f, std::string_view v,
                                          writer_t& w) const {
    const field_role role = f.role;  // none for padding (skip), which has no name of its own
    if (with_roles && role != field_role::none) (*role_value)[static_cast<std::size_t>(role)].reset();
    const bool fits_integer = !v.empty() && v.size() <= 8;
    switch (f.kind) {
      case value_kind::ipv4:
        if (v.size() == 4) return w.ip(f, v);
        break;
      case value_kind::ipv6:
        if (v.size() == 16) return w.ip(f, v);
        break;
      case value_kind::mac:
        return w.string(f, mac_text(v));
      case value_kind::text: {
        std::string_view s = v;
        while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
        return w.string(f, s);
      }
      case value_kind::seconds:
        if (fits_integer) return w.time(f, capped_time(read_unsigned(v), 1000000));
        break;
      case value_kind::millis:
        if (fits_integer) return w.time(f, capped_time(read_unsigned(v), 1000));
        break;
      case value_kind::ntp_micros:
      case value_kind::ntp_nanos:
        if (v.size() == 8) return w.time(f, ntp_micros(v, f.kind == value_kind::ntp_nanos));
        break;
      case value_kind::uptime_start:
      case value_kind::uptime_end:
        if (v.size() == 4) {
          const std::uint32_t t_ms = be32(v, 0);
          if (ctx.version == 9) return w.time(f, v9_uptime_micros(ctx, t_ms));
          if (e.system_init_micros >= 0)
            return w.time(f, capped_time(static_cast<std::uint64_t>(e.system_init_micros / 1000) + t_ms, 1000));
          // IPFIX without systemInitTimeMilliseconds: no origin to anchor the uptime to.
          return w.integer(f.kind == value_kind::uptime_start ? start_uptime_ms : end_uptime_ms, t_ms);
        }
        break;
      case value_kind::integer:
        if (fits_integer) {
          std::uint64_t x = read_unsigned(v);
          if (with_roles && role != field_role::none && !beyond_int64(x)) {
            (*role_value)[static_cast<std::size_t>(role)] = x;
            if (rate > 1 && (role == field_role::bytes || role == field_role::packets)) x = saturating_mul(x, rate);
          }
          return w.integer(f, x);
        }
        break;
      case value_kind::skip:
        return;
      case value_kind::octets:
        break;
    }
    w.string(f, hex_text(v));
  }

  // The fields of a record of an all-fixed-length template (`rec` holds the whole record)
  // without roles, each by its step; what no step covers goes through write_field.
  void write_fixed_fields(const exporter_state& e, const flow_template& t, const char* rec, const packet_context& ctx,
                          json_writer& w) const {
    for (const resolved_field& f : t.resolved) {
      const auto* v = reinterpret_cast<const unsigned char*>(rec + f.offset);
      switch (f.step) {
        case fixed_step::u8: w.octet(f, v[0]); continue;
        case fixed_step::u16: w.small_integer(f, load_be16(v)); continue;
        case fixed_step::u32: w.small_integer(f, load_be32(v)); continue;
        case fixed_step::u64: w.integer(f, load_be64(v)); continue;
        case fixed_step::ipv4:
        case fixed_step::ipv6: w.ip(f, std::string_view(rec + f.offset, f.length)); continue;
        case fixed_step::uptime:
          if (ctx.version != 9) break;
          w.time(f, v9_uptime_micros(ctx, static_cast<std::uint32_t>(load_be32(v))));
          continue;
        case fixed_step::millis: w.time(f, capped_time(load_be64(v), 1000)); continue;
        case fixed_step::skip: continue;
        case fixed_step::general: break;
        default: __builtin_unreachable();  // every step is above: no range check before the jump
      }
      write_field<false>(e, ctx, 0, nullptr, f, std::string_view(rec + f.offset, f.length), w);
    }
  }

  template <bool with_roles, typename writer_t>
  bool write_flow_fields(const exporter_state& e, const flow_template& t, std::string_view rec, const packet_context& ctx,
                         std::uint64_t rate, writer_t& w, std::size_t& used) const {
    // Per role, the last value written under its name when that was an integer.
    std::array<std::optional<std::uint64_t>, field_role_count> role_value{};
    const bool ok = for_each_field_value(t, rec, used, [&](const resolved_field& f, std::string_view v) {
      write_field<with_roles>(e, ctx, rate, &role_value, f, v, w);
    });
    if (!ok) return false;
    if constexpr (!with_roles) return true;
    const auto value_of = [&](field_role r) -> const std::optional<std::uint64_t>& { return role_value[static_cast<std::size_t>(r)]; };
    if (!e.interface_names.empty()) {
      if (const auto& index = value_of(field_role::in_if))
        if (auto it = e.interface_names.find(*index); it != e.interface_names.end()) w.string(in_if_name, it->second);
      if (const auto& index = value_of(field_role::out_if))
        if (auto it = e.interface_names.find(*index); it != e.interface_names.end()) w.string(out_if_name, it->second);
    }
    if (rate > 1) {
      w.integer(sampling_rate, std::min<std::uint64_t>(rate, 1u << 31));
      if (const auto& raw = value_of(field_role::bytes)) w.integer(bytes_raw, *raw);
      if (const auto& raw = value_of(field_role::packets)) w.integer(packets_raw, *raw);
    }
    return true;
  }

  bool decode_flow_record(exporter_state& e, const flow_template& t, std::string_view rec, const packet_context& ctx,
                          const core::event& proto, record_sink& out, std::size_t& used) {
    core::event ev = new_event();
    ev.reserve(proto.fields().size() + t.fields.size() + 8);  // the fields below, set without moving the list
    ev = proto;
    event_writer w{ev};
    if (!write_flow_record(e, t, rec, ctx, w, used)) return false;
    emit(out, std::move(ev));
    return true;
  }

  // json_buffer holds the set's shared start (`proto_size` bytes) and room for the record.
  bool decode_flow_record_json(exporter_state& e, const flow_template& t, std::string_view rec, const packet_context& ctx,
                               std::size_t proto_size, const record_sink& out, std::size_t& used) {
    json_writer w{json_buffer.data() + proto_size, json_times};
    if (!write_flow_record(e, t, rec, ctx, w, used)) return false;
    if (out.ids) {
      const std::uint64_t seq = set_ids_left != 0 ? (--set_ids_left, set_next_id++) : out.ids->take(1);
      w.p = out.ids->write_id_member(w.p, seq);
    }
    *w.p++ = '}';
    const std::size_t n = static_cast<std::size_t>(w.p - json_buffer.data());
    assert(n <= json_buffer.size());
    out.json->push({json_buffer.data(), n});
    return true;
  }

  // An event for `out`: appended to its events, or encoded to its JSON (and its id) and kept for
  // reuse.
  void emit(record_sink& out, core::event&& ev) {
    if (out.events) return out.events->push_back(std::move(ev));
    json_text.clear();
    core::append_event_json(json_text, ev);
    if (out.ids) out.ids->append_id_member(json_text, out.ids->take(1));
    out.json->push(json_text);
    if (spare.size() < max_spare) spare.push_back(std::move(ev));
  }

  // Sequence numbers per exporter and domain, in the version's own unit.
  // softflowd 1.1.0 numbers an IPFIX message after counting its own records (sequence = records
  // up to and including this message): that is accepted as in order, not reported as loss.
  void track_sequence(exporter_state& e, std::uint32_t sequence, std::uint32_t units, bool resync, bool ipfix = false) {
    if (e.sequence_known && !resync) {
      const std::uint32_t delta = sequence - e.next_sequence;
      const bool counted_first = ipfix && sequence == e.last_sequence + units;
      if (delta != 0 && !counted_first) {
        if (delta <= max_forward_gap) ++stats.sequence_gaps, stats.sequence_lost += delta;
        else ++stats.sequence_resets;
      }
    }
    e.sequence_known = true;
    e.last_sequence = sequence;
    e.next_sequence = sequence + units;
  }

  // ---- template sets ----

  // v9 flowset 0 and IPFIX set 2: templates; field count 0 in IPFIX withdraws.
  bool read_templates(exporter_state& e, std::string_view set, bool ipfix, std::int64_t now, record_sink& out,
                      std::size_t& appended) {
    std::size_t at = 0;
    while (set.size() - at >= 4) {
      const std::uint16_t id = static_cast<std::uint16_t>(be16(set, at));
      const std::size_t count = be16(set, at + 2);
      at += 4;
      if (ipfix && count == 0) {
        withdraw(e, id, false);
        continue;
      }
      if (id < 256 || count == 0) return id == 0 && count == 0;  // zero padding ends the set
      flow_template t;
      if (!read_field_specs(set, at, count, ipfix, 0, t)) return false;
      add_template(e, id, std::move(t), now, out, appended);
    }
    return true;
  }

  // v9 flowset 1: options templates with scope and option lengths in bytes.
  bool read_v9_options_templates(exporter_state& e, std::string_view set, std::int64_t now, record_sink& out,
                                 std::size_t& appended) {
    std::size_t at = 0;
    while (set.size() - at >= 6) {
      const std::uint16_t id = static_cast<std::uint16_t>(be16(set, at));
      const std::size_t scope_len = be16(set, at + 2), option_len = be16(set, at + 4);
      at += 6;
      if (id < 256) return id == 0;
      if (scope_len % 4 != 0 || option_len % 4 != 0 || scope_len + option_len == 0) return false;
      flow_template t;
      t.options = true;
      if (!read_field_specs(set, at, (scope_len + option_len) / 4, false, scope_len / 4, t)) return false;
      add_template(e, id, std::move(t), now, out, appended);
    }
    return true;
  }

  // IPFIX set 3: options templates with field and scope counts; field count 0 withdraws.
  bool read_ipfix_options_templates(exporter_state& e, std::string_view set, std::int64_t now,
                                    record_sink& out, std::size_t& appended) {
    std::size_t at = 0;
    while (set.size() - at >= 4) {
      const std::uint16_t id = static_cast<std::uint16_t>(be16(set, at));
      const std::size_t count = be16(set, at + 2);
      if (count == 0) {
        at += 4;
        withdraw(e, id, true);
        continue;
      }
      if (set.size() - at < 6) return false;
      const std::size_t scope = be16(set, at + 4);
      at += 6;
      if (id < 256) return false;
      if (scope == 0 || scope > count) return false;
      flow_template t;
      t.options = true;
      if (!read_field_specs(set, at, count, true, 0, t)) return false;
      add_template(e, id, std::move(t), now, out, appended);
    }
    return true;
  }

  static bool read_field_specs(std::string_view set, std::size_t& at, std::size_t count, bool ipfix,
                               std::size_t scope_fields, flow_template& t) {
    t.fields.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      if (set.size() - at < 4) return false;
      field_spec f;
      std::uint32_t id = be16(set, at);
      f.length = static_cast<std::uint16_t>(be16(set, at + 2));
      at += 4;
      if (ipfix && (id & 0x8000)) {
        if (set.size() - at < 4) return false;
        f.enterprise = be32(set, at);
        at += 4;
        id &= 0x7FFF;
      }
      if (!ipfix && f.length == variable_length) return false;  // v9 has no variable-length fields
      f.id = static_cast<std::uint16_t>(id);
      f.scope = i < scope_fields;
      t.fields.push_back(f);
    }
    return true;
  }

  // ---- packets ----

  core::result<std::size_t> decode_templated(std::string_view p, std::string_view peer, std::uint16_t port,
                                             std::int64_t now, record_sink& out) {
    const bool ipfix = packet_version(p) == 10;
    const std::size_t header = ipfix ? 16 : 20;
    if (p.size() < header) {
      ++stats.malformed;
      return core::make_error(std::string(ipfix ? "IPFIX" : "NetFlow v9") + " packet shorter than its header");
    }
    packet_context ctx;
    ctx.version = ipfix ? 10 : 9;
    ctx.received = now;
    ctx.peer = std::string(peer);
    std::uint32_t sequence;
    if (ipfix) {
      const std::size_t length = be16(p, 2);
      if (length < header || length > p.size()) {
        ++stats.malformed;
        return core::make_error("IPFIX message length " + std::to_string(length) + " does not fit a " +
                                std::to_string(p.size()) + "-byte packet");
      }
      p = p.substr(0, length);  // bytes after the message are not part of it
      ctx.export_micros = static_cast<std::int64_t>(be32(p, 4)) * 1000000;
      sequence = be32(p, 8);
      ctx.domain = be32(p, 12);
    } else {
      // The v9 count field is not trusted (exporters get it wrong): every flowset is read.
      ctx.uptime_ms = be32(p, 4);
      ctx.export_micros = static_cast<std::int64_t>(be32(p, 8)) * 1000000;
      sequence = be32(p, 12);
      ctx.domain = be32(p, 16);
    }
    exporter_state* e = exporter({normalise_address(peer), port, ctx.version, ctx.domain}, now);
    if (!e) return core::make_error("exporter table full (" + std::to_string(limits.max_exporters) + "): packet dropped");
    const bool resync = !e->held.empty();  // held records' count is unknown: do not call it loss
    std::size_t appended = 0, data_records = 0;
    bool held_any = false;
    std::size_t at = header;
    while (p.size() - at >= 4) {
      const std::uint16_t set_id = static_cast<std::uint16_t>(be16(p, at));
      const std::size_t length = be16(p, at + 2);
      if (length < 4 || length > p.size() - at) {
        // Trailing zero padding after the last set is common in v9; anything else is damage.
        if (set_id == 0 && length == 0 && p.find_first_not_of('\0', at) == std::string_view::npos) break;
        ++stats.malformed;
        track_sequence(*e, sequence, ipfix ? static_cast<std::uint32_t>(data_records) : 1, true);
        return core::make_error("set " + std::to_string(set_id) + " length " + std::to_string(length) +
                                " overruns the packet at byte " + std::to_string(at));
      }
      const std::string_view body = p.substr(at + 4, length - 4);
      at += length;
      bool ok = true;
      if (set_id == (ipfix ? 2 : 0)) ok = read_templates(*e, body, ipfix, now, out, appended);
      else if (set_id == (ipfix ? 3 : 1)) ok = ipfix ? read_ipfix_options_templates(*e, body, now, out, appended)
                                                     : read_v9_options_templates(*e, body, now, out, appended);
      else if (set_id >= 256) {
        if (const flow_template* t = find_template(*e, set_id, now)) ok = decode_data_set(*e, *t, body, ctx, out, appended, data_records);
        else hold(*e, set_id, body, ctx), held_any = true;
      }
      // set ids 4-255 are reserved: skipped
      if (!ok) {
        ++stats.malformed;
        track_sequence(*e, sequence, ipfix ? static_cast<std::uint32_t>(data_records) : 1, true);
        return core::make_error("malformed set " + std::to_string(set_id));
      }
    }
    track_sequence(*e, sequence, ipfix ? static_cast<std::uint32_t>(data_records) : 1, resync || held_any, ipfix);
    return appended;
  }

  core::result<std::size_t> decode_v5_packet(std::string_view p, std::string_view peer, std::uint16_t port,
                                             std::int64_t now, std::vector<core::event>& out) {
    const std::size_t before = out.size();
    auto n = decode_v5(p, normalise_address(peer), now, out);
    if (!n) {
      ++stats.malformed;
      return n;
    }
    for (std::size_t i = before; i < out.size(); ++i) out[i].set_ip("peer", peer);
    stats.flow_records += *n;
    const std::uint32_t domain = be16(p, 20);  // engine type and engine id
    if (exporter_state* e = exporter({normalise_address(peer), port, 5, domain}, now))
      track_sequence(*e, be32(p, 16), static_cast<std::uint32_t>(*n), false);
    return n;
  }

  core::result<std::size_t> decode_sflow_packet(std::string_view p, std::string_view peer, std::int64_t now,
                                                std::vector<core::event>& out) {
    sflow_header h;
    auto n = decode_sflow(p, peer, now, out, &h);
    if (!n) {
      ++stats.malformed;
      return n;
    }
    stats.flow_records += *n;
    if (exporter_state* e = exporter({normalise_address(h.agent), 0, sflow_version_key, h.sub_agent}, now))
      track_sequence(*e, h.sequence, 1, false);
    return n;
  }

  // v5 and sFlow records are decoded to events, then to JSON when that is what `out` takes.
  template <typename decode_fn>
  core::result<std::size_t> decode_to_events(record_sink& out, decode_fn&& decode) {
    if (out.events) return decode(*out.events);
    scratch.clear();
    auto n = decode(scratch);
    for (core::event& ev : scratch) emit(out, std::move(ev));
    scratch.clear();
    return n;
  }

  core::result<std::size_t> decode_packet(std::string_view packet, std::string_view peer, std::uint16_t port,
                                          std::int64_t now, record_sink& out) {
    ++stats.packets;
    if (is_sflow(packet))
      return decode_to_events(out, [&](std::vector<core::event>& events) { return decode_sflow_packet(packet, peer, now, events); });
    switch (packet_version(packet)) {
      case 5:
        return decode_to_events(out, [&](std::vector<core::event>& events) { return decode_v5_packet(packet, peer, port, now, events); });
      case 9:
      case 10: return decode_templated(packet, peer, port, now, out);
      default:
        ++stats.unsupported_version;
        return core::make_error("unsupported export version " + std::to_string(packet_version(packet)));
    }
  }
};

decoder::decoder(decoder_limits limits) : s_(std::make_unique<state>()) { s_->limits = limits; }
decoder::~decoder() = default;
decoder::decoder(decoder&&) noexcept = default;
decoder& decoder::operator=(decoder&&) noexcept = default;

core::result<std::size_t> decoder::decode(std::string_view packet, std::string_view exporter, std::uint16_t port,
                                          std::int64_t received_micros, std::vector<core::event>& out) {
  record_sink sink{&out, nullptr};
  return s_->decode_packet(packet, exporter, port, received_micros, sink);
}

core::result<std::size_t> decoder::decode_json(std::string_view packet, std::string_view exporter, std::uint16_t port,
                                               std::int64_t received_micros, core::text_batch& out, event_ids* ids) {
  record_sink sink{nullptr, &out, ids};
  return s_->decode_packet(packet, exporter, port, received_micros, sink);
}

const decoder_stats& decoder::stats() const { return s_->stats; }

void decoder::recycle(std::vector<core::event>& used) {
  for (core::event& ev : used) {
    if (s_->spare.size() >= max_spare) break;
    s_->spare.push_back(std::move(ev));
  }
  used.clear();
}

std::size_t decoder::template_count() const {
  std::size_t n = 0;
  for (const auto& [k, e] : s_->exporters) n += e.templates.size();
  return n;
}

// One line per template: address port version domain template_id options field...
// with each field as id/length/enterprise/scope.
std::string decoder::save_templates() const {
  std::ostringstream o;
  for (const auto& [k, e] : s_->exporters)
    for (const auto& [id, t] : e.templates) {
      o << k.address << ' ' << k.port << ' ' << k.version << ' ' << k.domain << ' ' << id << ' ' << (t.options ? 1 : 0);
      for (const auto& f : t.fields) o << ' ' << f.id << '/' << f.length << '/' << f.enterprise << '/' << (f.scope ? 1 : 0);
      o << '\n';
    }
  return o.str();
}

std::size_t decoder::load_templates(std::string_view saved, std::int64_t now_micros) {
  std::istringstream in{std::string(saved)};
  std::size_t restored = 0;
  std::vector<core::event> none;
  record_sink discard{&none, nullptr};
  std::size_t appended = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    exporter_key k;
    unsigned port = 0, version = 0, id = 0, options = 0;
    unsigned long domain = 0;
    if (!(l >> k.address >> port >> version >> domain >> id >> options)) continue;
    if (port > 0xFFFF || (version != 9 && version != 10) || domain > 0xFFFFFFFFul || id < 256 || id > 0xFFFF) continue;
    k.port = static_cast<std::uint16_t>(port);
    k.version = static_cast<std::uint16_t>(version);
    k.domain = static_cast<std::uint32_t>(domain);
    flow_template t;
    t.options = options != 0;
    bool good = true;
    for (std::string spec; l >> spec;) {
      unsigned fid = 0, len = 0, scope = 0;
      unsigned long ent = 0;
      if (std::sscanf(spec.c_str(), "%u/%u/%lu/%u", &fid, &len, &ent, &scope) != 4 || fid > 0xFFFF || len > 0xFFFF ||
          ent > 0xFFFFFFFFul) {
        good = false;
        break;
      }
      t.fields.push_back({static_cast<std::uint16_t>(fid), static_cast<std::uint16_t>(len), static_cast<std::uint32_t>(ent), scope != 0});
    }
    if (!good || t.fields.empty() || min_length_of(t.fields) == 0) continue;
    exporter_state* e = s_->exporter(k, now_micros);
    if (!e) continue;
    const std::uint64_t counted = s_->stats.templates;
    if (s_->add_template(*e, static_cast<std::uint16_t>(id), std::move(t), now_micros, discard, appended)) ++restored;
    s_->stats.templates = counted;  // restored, not received
  }
  return restored;
}

}  // namespace talaia::collectors::netflow
