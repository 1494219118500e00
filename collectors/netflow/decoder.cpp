#include "collectors/netflow/decoder.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "collectors/netflow/fields.hpp"
#include "collectors/netflow/sflow.hpp"
#include "collectors/netflow/v5.hpp"

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
constexpr std::size_t max_interface_names = 4096;     // per exporter and domain

std::uint32_t be16(std::string_view p, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(p[at])) << 8) | static_cast<unsigned char>(p[at + 1]);
}
std::uint32_t be32(std::string_view p, std::size_t at) { return (be16(p, at) << 16) | be16(p, at + 2); }

struct field_spec {
  std::uint16_t id = 0;
  std::uint16_t length = 0;
  std::uint32_t enterprise = 0;
  bool scope = false;  // a v9 options scope field (its id is a scope type, not an element)
};

struct flow_template {
  std::vector<field_spec> fields;
  std::vector<std::string> names;  // event field name of each field, resolved once
  std::vector<element_info> info;
  bool options = false;
  std::size_t min_length = 0;  // fixed lengths plus one byte per variable-length field
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

// What a data set needs from its packet header to be decoded later.
struct packet_context {
  std::uint16_t version = 0;
  std::uint32_t uptime_ms = 0;  // v9 only
  std::int64_t export_micros = 0;
  std::uint32_t domain = 0;
  std::int64_t received = 0;
  std::string peer;
};

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

void set_unsigned(core::event& ev, std::string_view name, std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) ev.set_string(name, std::to_string(v));
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

// Sampling rate a record states itself (1 in N), or 0.
std::uint64_t stated_rate(std::uint64_t interval34, std::uint64_t random50, std::uint64_t pkt_interval,
                          std::uint64_t pkt_space, bool has_space, std::uint64_t size, std::uint64_t population) {
  if (size > 0 && population > 0) return std::max<std::uint64_t>(1, population / size);
  if (pkt_interval > 0 && has_space) return (pkt_interval + pkt_space) / pkt_interval;
  if (interval34 > 0) return interval34;
  if (random50 > 0) return random50;
  return 0;
}

}  // namespace

struct decoder::state {
  decoder_limits limits;
  decoder_stats stats;
  std::unordered_map<exporter_key, exporter_state, exporter_key_hash> exporters;
  std::size_t held_count = 0, held_bytes = 0;
  std::vector<core::event> spare;  // events handed back by recycle(), reused for new records

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
  bool add_template(exporter_state& e, std::uint16_t id, flow_template t, std::int64_t now, std::vector<core::event>& out,
                    std::size_t& appended) {
    ++stats.templates;
    t.min_length = min_length_of(t.fields);
    t.last_used = now;
    for (const auto& f : t.fields) {
      t.info.push_back(element(f.enterprise, f.id));
      t.names.push_back(t.info.back().name.empty() ? unnamed_element(f.enterprise, f.id) : std::string(t.info.back().name));
    }
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

  void release_held(exporter_state& e, std::uint16_t id, std::int64_t now, std::vector<core::event>& out,
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
                       std::vector<core::event>& out, std::size_t& appended, std::size_t& records) {
    if (t.min_length == 0) return false;
    // The fields every record of the set shares, formatted once.
    core::event proto;
    if (!t.options) {
      proto.set_string("kind", "flow");
      proto.set_time("received", ctx.received);
      proto.set_ip("peer", ctx.peer);
      proto.set_ip("exporter", normalise_address(ctx.peer));
      proto.set_integer("flow_version", ctx.version);
      proto.set_integer("observation_domain", ctx.domain);
    }
    std::size_t at = 0;
    while (set.size() - at >= t.min_length) {
      std::size_t used = 0;
      bool ok = t.options ? apply_options_record(e, t, set.substr(at), ctx, used)
                          : decode_flow_record(e, t, set.substr(at), ctx, proto, out, used);
      if (!ok) return false;
      at += used;
      ++records;
      if (t.options) ++stats.options_records;
      else ++stats.flow_records, ++appended;
    }
    return true;  // what is left is padding
  }

  // Splits one record into (field, value bytes); false when a length overruns.
  template <typename fn_t>
  static bool for_each_value(const flow_template& t, std::string_view rec, std::size_t& used, fn_t&& fn) {
    std::size_t at = 0;
    for (const auto& f : t.fields) {
      std::size_t len = f.length;
      if (len == variable_length) {
        if (at + 1 > rec.size()) return false;
        len = static_cast<unsigned char>(rec[at++]);
        if (len == 255) {
          if (at + 2 > rec.size()) return false;
          len = be16(rec, at);
          at += 2;
        }
      }
      if (len > rec.size() - at) return false;
      fn(f, rec.substr(at, len));
      at += len;
    }
    used = at;
    return true;
  }

  bool apply_options_record(exporter_state& e, const flow_template& t, std::string_view rec, const packet_context& ctx,
                            std::size_t& used) {
    std::uint64_t interval34 = 0, random50 = 0, pkt_interval = 0, pkt_space = 0, size = 0, population = 0;
    std::uint64_t selector = no_selector;
    bool has_space = false;
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
      switch (f.id) {
        case 34: interval34 = x; break;
        case 50: random50 = x; break;
        case 305: pkt_interval = x; break;
        case 306: pkt_space = x, has_space = true; break;
        case 309: size = x; break;
        case 310: population = x; break;
        case 48: case 302: selector = x; break;
        case 160: init = capped_time(x, 1000); break;
        default: break;
      }
    });
    if (!ok) return false;
    if (const std::uint64_t rate = stated_rate(interval34, random50, pkt_interval, pkt_space, has_space, size, population))
      e.sampling[selector] = rate;
    if (init >= 0) e.system_init_micros = init;
    if (if_index && !if_name.empty()) {
      while (!if_name.empty() && if_name.back() == '\0') if_name.remove_suffix(1);
      if (e.interface_names.size() < max_interface_names || e.interface_names.count(*if_index))
        e.interface_names[*if_index] = std::string(if_name.substr(0, 256));
    }
    (void)ctx;
    return true;
  }

  std::uint64_t rate_for(const exporter_state& e, std::uint64_t selector) const {
    if (e.sampling.empty()) return 0;
    if (selector != no_selector)
      if (auto it = e.sampling.find(selector); it != e.sampling.end()) return it->second;
    if (auto it = e.sampling.find(no_selector); it != e.sampling.end()) return it->second;
    return 0;
  }

  bool decode_flow_record(exporter_state& e, const flow_template& t, std::string_view rec, const packet_context& ctx,
                          const core::event& proto, std::vector<core::event>& out, std::size_t& used) {
    core::event ev = new_event();
    ev.reserve(proto.fields().size() + t.fields.size() + 8);  // the fields below, set without moving the list
    ev = proto;
    std::uint64_t interval34 = 0, random50 = 0, pkt_interval = 0, pkt_space = 0, size = 0, population = 0;
    std::uint64_t selector = no_selector;
    bool has_space = false;
    const bool ok = for_each_value(t, rec, used, [&](const field_spec& f, std::string_view v) {
      const std::size_t index = static_cast<std::size_t>(&f - t.fields.data());
      const element_info& info = t.info[index];
      if (info.kind == value_kind::skip) return;
      const std::string_view name = t.names[index];
      const bool fits_integer = !v.empty() && v.size() <= 8;
      switch (info.kind) {
        case value_kind::ipv4:
          if (v.size() == 4) return ev.set_ip(name, ipv4_text(v));
          break;
        case value_kind::ipv6:
          if (v.size() == 16) return ev.set_ip(name, ipv6_text(v));
          break;
        case value_kind::mac:
          return ev.set_string(name, mac_text(v));
        case value_kind::text: {
          std::string_view s = v;
          while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
          return ev.set_string(name, s);
        }
        case value_kind::seconds:
          if (fits_integer) return ev.set_time(name, capped_time(read_unsigned(v), 1000000));
          break;
        case value_kind::millis:
          if (fits_integer) return ev.set_time(name, capped_time(read_unsigned(v), 1000));
          break;
        case value_kind::ntp_micros:
        case value_kind::ntp_nanos:
          if (v.size() == 8) return ev.set_time(name, ntp_micros(v, info.kind == value_kind::ntp_nanos));
          break;
        case value_kind::uptime_start:
        case value_kind::uptime_end:
          if (v.size() == 4) {
            const std::uint32_t t_ms = be32(v, 0);
            if (ctx.version == 9) {
              const std::int64_t ago_ms = static_cast<std::int32_t>(ctx.uptime_ms - t_ms);
              return ev.set_time(name, ctx.export_micros - ago_ms * 1000);
            }
            if (e.system_init_micros >= 0)
              return ev.set_time(name, capped_time(static_cast<std::uint64_t>(e.system_init_micros / 1000) + t_ms, 1000));
            // IPFIX without systemInitTimeMilliseconds: no origin to anchor the uptime to.
            return ev.set_integer(info.kind == value_kind::uptime_start ? "start_uptime_ms" : "end_uptime_ms", t_ms);
          }
          break;
        case value_kind::integer:
          if (fits_integer) {
            const std::uint64_t x = read_unsigned(v);
            if (f.enterprise == 0) {
              switch (f.id) {
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
            return set_unsigned(ev, name, x);
          }
          break;
        case value_kind::octets:
        case value_kind::skip:
          break;
      }
      ev.set_string(name, hex_text(v));
    });
    if (!ok) return false;
    std::uint64_t rate = stated_rate(interval34, random50, pkt_interval, pkt_space, has_space, size, population);
    if (rate == 0) rate = rate_for(e, selector);
    if (!e.interface_names.empty()) {
      for (const char* f : {"in_if", "out_if"}) {
        const core::field* index = ev.find(f);
        if (!index || index->type != core::field_type::integer) continue;
        if (auto it = e.interface_names.find(static_cast<std::uint64_t>(index->number)); it != e.interface_names.end())
          ev.set_string(std::string(f) + "_name", it->second);
      }
    }
    if (rate > 1) {
      ev.set_integer("sampling_rate", static_cast<std::int64_t>(std::min<std::uint64_t>(rate, 1u << 31)));
      for (const char* counter : {"bytes", "packets"}) {
        const core::field* f = ev.find(counter);
        if (!f || f->type != core::field_type::integer) continue;
        const auto raw = static_cast<std::uint64_t>(f->number);
        set_unsigned(ev, std::string(counter) + "_raw", raw);
        set_unsigned(ev, counter, saturating_mul(raw, rate));
      }
    }
    out.push_back(std::move(ev));
    return true;
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
  bool read_templates(exporter_state& e, std::string_view set, bool ipfix, std::int64_t now, std::vector<core::event>& out,
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
  bool read_v9_options_templates(exporter_state& e, std::string_view set, std::int64_t now, std::vector<core::event>& out,
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
                                    std::vector<core::event>& out, std::size_t& appended) {
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
                                             std::int64_t now, std::vector<core::event>& out) {
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
};

namespace {
constexpr std::uint16_t sflow_version_key = 0xF105;  // sFlow in the exporter table (its own numbering)
}  // namespace

decoder::decoder(decoder_limits limits) : s_(std::make_unique<state>()) { s_->limits = limits; }
decoder::~decoder() = default;
decoder::decoder(decoder&&) noexcept = default;
decoder& decoder::operator=(decoder&&) noexcept = default;

core::result<std::size_t> decoder::decode(std::string_view packet, std::string_view exporter, std::uint16_t port,
                                          std::int64_t received_micros, std::vector<core::event>& out) {
  ++s_->stats.packets;
  if (is_sflow(packet)) {
    sflow_header h;
    auto n = decode_sflow(packet, exporter, received_micros, out, &h);
    if (!n) {
      ++s_->stats.malformed;
      return n;
    }
    s_->stats.flow_records += *n;
    if (exporter_state* e = s_->exporter({normalise_address(h.agent), 0, sflow_version_key, h.sub_agent}, received_micros))
      s_->track_sequence(*e, h.sequence, 1, false);
    return n;
  }
  switch (packet_version(packet)) {
    case 5: return s_->decode_v5_packet(packet, exporter, port, received_micros, out);
    case 9:
    case 10: return s_->decode_templated(packet, exporter, port, received_micros, out);
    default:
      ++s_->stats.unsupported_version;
      return core::make_error("unsupported export version " + std::to_string(packet_version(packet)));
  }
}

const decoder_stats& decoder::stats() const { return s_->stats; }

void decoder::recycle(std::vector<core::event>& used) {
  constexpr std::size_t max_spare = 4096;
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
    if (s_->add_template(*e, static_cast<std::uint16_t>(id), std::move(t), now_micros, none, appended)) ++restored;
    s_->stats.templates = counted;  // restored, not received
  }
  return restored;
}

}  // namespace talaia::collectors::netflow
