#pragma once
// NetFlow v5, v9 (RFC 3954), IPFIX (RFC 7011) and sFlow v5 datagrams to flow events, with the
// template cache NetFlow v9 and IPFIX need (pure: no sockets, no clock; time comes with each packet).
//
// One decoder per listener worker thread: it owns its templates, sampling rates and sequence
// state, so nothing on the data path is shared or locked. Not thread-safe.
//
// Templates are keyed by (exporter address, source port, version, source id / observation
// domain, template id); IPv4-mapped IPv6 exporter addresses are normalised to IPv4 first.
// Data that arrives before its template is held (bounded) and decoded when the template comes.
// Options data (sampling: fields 34, 50, 305/306, 309/310; systemInitTimeMilliseconds 160)
// configures the decoder and never becomes an event. Flow data records become events of kind
// "flow"; `bytes` and `packets` are scaled by the sampling rate, the raw counts kept as
// `bytes_raw` and `packets_raw`.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/event_ids.hpp"
#include "core/config.hpp"
#include "core/event.hpp"
#include "core/result.hpp"
#include "core/shared_text.hpp"

namespace talaia::collectors::netflow {

struct decoder_limits {
  std::size_t max_exporters = 4096;               // (address, port, version, domain) states
  std::size_t max_templates_per_exporter = 1024;  // per (address, port, version, domain)
  std::size_t max_held_sets = 1024;               // data sets waiting for a template, all exporters
  std::size_t max_held_bytes = 8u << 20;
  std::int64_t template_lifetime_micros = 3600LL * 1000000;  // unused that long: forgotten (0: never)
  std::int64_t held_lifetime_micros = 60LL * 1000000;        // held data older than this is dropped
};

// The limits the config's `netflow:` section sets.
decoder_limits limits_of(const core::netflow_options_config& options);

// Counters owned by the decoder's thread (copied into metrics by the listener).
struct decoder_stats {
  std::uint64_t packets = 0;
  std::uint64_t flow_records = 0;          // events produced
  std::uint64_t options_records = 0;       // options data records applied
  std::uint64_t templates = 0;             // template records received (new or refreshed)
  std::uint64_t templates_withdrawn = 0;
  std::uint64_t templates_expired = 0;
  std::uint64_t held_sets = 0;             // data sets held for a missing template
  std::uint64_t held_decoded = 0;          // of those, decoded when their template came
  std::uint64_t held_dropped = 0;          // dropped: limit reached or too old
  std::uint64_t exporter_limit = 0;        // packets refused: too many exporters
  std::uint64_t template_limit = 0;        // templates refused: too many for one exporter
  std::uint64_t malformed = 0;             // packets with a malformed header, set or record
  std::uint64_t unsupported_version = 0;
  std::uint64_t sequence_gaps = 0;         // times a sequence number jumped forward
  std::uint64_t sequence_lost = 0;         // units missing (flows v5, packets v9, records IPFIX)
  std::uint64_t sequence_resets = 0;       // sequence went back or jumped too far: resynchronised
};

class decoder {
 public:
  explicit decoder(decoder_limits limits = {});
  ~decoder();
  decoder(decoder&&) noexcept;
  decoder& operator=(decoder&&) noexcept;

  // Decodes one export packet (v5, v9, IPFIX or sFlow v5, by its version field) sent by `exporter`
  // (address text) from source `port`, received at `received_micros`. Appends one event per flow
  // data record, including held records that this packet's templates make decodable, and
  // returns how many it appended. An error says why the packet (or the rest of it, after a
  // malformed set) was not decoded; events appended before the problem stay.
  core::result<std::size_t> decode(std::string_view packet, std::string_view exporter, std::uint16_t port,
                                   std::int64_t received_micros, std::vector<core::event>& out);

  // The same records as decode() appends, each as its JSON object: byte for byte what
  // core::encode_event writes for that event. v9 and IPFIX flow records are written straight to
  // JSON from a form of each template's fields compiled once (no event is built); v5 and sFlow
  // records, and templates that name a field twice, go through events. For collectors that only
  // forward the JSON. With `ids`, each object ends with its event id, "id", as
  // core::append_string_member would add it (written with the record, not appended after). The
  // objects are appended to `out` one after another, in one block a bus can take whole.
  core::result<std::size_t> decode_json(std::string_view packet, std::string_view exporter, std::uint16_t port,
                                        std::int64_t received_micros, core::text_batch& out,
                                        event_ids* ids = nullptr);

  // Empties `used` (events this decoder appended, done with), keeping their storage for the next
  // records: a reused event does not allocate its field list and texts again.
  void recycle(std::vector<core::event>& used);

  const decoder_stats& stats() const;
  std::size_t template_count() const;  // templates cached, all exporters

  // Templates as text (one line each), to persist across a restart, and back. load_templates
  // skips lines it cannot read and returns how many templates it restored.
  std::string save_templates() const;
  std::size_t load_templates(std::string_view saved, std::int64_t now_micros);

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace talaia::collectors::netflow
