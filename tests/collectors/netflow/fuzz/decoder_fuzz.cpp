// libFuzzer target for the NetFlow v5/v9/IPFIX decoder. The input is a stream of export packets,
// each preceded by its 2-byte big-endian length, from a handful of exporters, so that templates,
// held data, withdrawals and sequence tracking are all reached. Untrusted bytes must never crash,
// assert or throw, and decode_json (with event ids, as the listener calls it) must give the JSON of
// the events decode gives plus each one's id, byte for byte.
#include <cstddef>
#include <cstdlib>
#include <string>
#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/event_ids.hpp"
#include "collectors/netflow/decoder.hpp"
#include "core/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using talaia::collectors::netflow::decoder;
  using talaia::collectors::netflow::decoder_limits;
  decoder_limits limits;
  limits.max_exporters = 8;
  limits.max_templates_per_exporter = 16;
  limits.max_held_sets = 8;
  decoder d(limits), as_json(limits);
  talaia::collectors::event_ids ids("fuzz", 1), twin("fuzz", 1);
  std::vector<talaia::core::event> out;
  talaia::core::text_batch json;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* const exporters[] = {"192.0.2.1", "::ffff:192.0.2.1", "2001:db8::1"};
  std::size_t at = 0, n = 0;
  while (at + 2 <= in.size()) {
    const std::size_t len = (static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]);
    at += 2;
    const std::string_view packet = in.substr(at, len);
    at += packet.size();
    out.clear();
    json.clear();
    const auto port = static_cast<std::uint16_t>(2055 + n % 2);
    (void)d.decode(packet, exporters[n % 3], port, static_cast<std::int64_t>(n) * 1000000, out);
    (void)as_json.decode_json(packet, exporters[n % 3], port, static_cast<std::int64_t>(n) * 1000000, json, &ids);
    if (json.size() != out.size()) std::abort();
    for (std::size_t i = 0; i < out.size(); ++i) {
      std::string expected = talaia::core::encode_event(out[i]);
      talaia::core::append_string_member(expected, "id", twin.next());
      if (json[i] != expected) std::abort();
    }
    ++n;
  }
  // Saved templates must load back.
  decoder again;
  (void)again.load_templates(d.save_templates(), 0);
  return 0;
}
