#include "collectors/netflow/v5.hpp"

#include <cstdio>

#include "core/bytes.hpp"

namespace talaia::collectors::netflow {

namespace {

using core::be16;
using core::be32;

std::string ipv4(std::uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xFF, (a >> 8) & 0xFF, a & 0xFF);
  return buf;
}

}  // namespace

std::uint16_t packet_version(std::string_view packet) {
  return packet.size() < 2 ? 0 : static_cast<std::uint16_t>(be16(packet, 0));
}

core::result<std::size_t> decode_v5(std::string_view p, std::string_view exporter, std::int64_t received_micros,
                                    std::vector<core::event>& out) {
  if (p.size() < v5_header_size) return core::make_error("NetFlow v5 packet shorter than its header");
  if (packet_version(p) != 5) return core::make_error("not a NetFlow v5 packet (version " + std::to_string(packet_version(p)) + ")");
  const std::size_t count = be16(p, 2);
  if (count == 0 || count > 30 || p.size() < v5_header_size + count * v5_record_size)
    return core::make_error("NetFlow v5 count " + std::to_string(count) + " does not fit a " + std::to_string(p.size()) + "-byte packet");
  const std::uint32_t uptime_ms = be32(p, 4);
  const std::int64_t export_micros = static_cast<std::int64_t>(be32(p, 8)) * 1000000 + be32(p, 12) / 1000;
  const std::uint32_t sequence = be32(p, 16);
  const std::uint32_t sampling = be16(p, 22);
  const std::uint32_t sampling_interval = sampling & 0x3FFF;
  // A router's uptime clock: a record's First/Last are uptime milliseconds, which wrap at 2^32.
  const auto at_uptime = [&](std::uint32_t t) {
    const std::int64_t ago_ms = static_cast<std::int32_t>(uptime_ms - t);
    return export_micros - ago_ms * 1000;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t r = v5_header_size + i * v5_record_size;
    core::event ev;
    ev.set_string("kind", "flow");
    ev.set_time("received", received_micros);
    ev.set_ip("peer", exporter);
    ev.set_ip("exporter", exporter);
    ev.set_integer("flow_version", 5);
    ev.set_integer("observation_domain", be16(p, 20));  // engine type and engine id, as nfdump does
    ev.set_ip("src_ip", ipv4(be32(p, r)));
    ev.set_ip("dst_ip", ipv4(be32(p, r + 4)));
    ev.set_ip("next_hop", ipv4(be32(p, r + 8)));
    ev.set_integer("in_if", be16(p, r + 12));
    ev.set_integer("out_if", be16(p, r + 14));
    // Sampled exports: counters scaled to what the network carried, the raw counts kept.
    const std::int64_t raw_packets = be32(p, r + 16), raw_bytes = be32(p, r + 20);
    const std::int64_t scale = sampling_interval > 1 ? sampling_interval : 1;
    ev.set_integer("packets", raw_packets * scale);
    ev.set_integer("bytes", raw_bytes * scale);
    if (scale > 1) ev.set_integer("packets_raw", raw_packets), ev.set_integer("bytes_raw", raw_bytes);
    ev.set_time("start", at_uptime(be32(p, r + 24)));
    ev.set_time("end", at_uptime(be32(p, r + 28)));
    ev.set_integer("src_port", be16(p, r + 32));
    ev.set_integer("dst_port", be16(p, r + 34));
    ev.set_integer("tcp_flags", static_cast<unsigned char>(p[r + 37]));
    ev.set_integer("proto", static_cast<unsigned char>(p[r + 38]));
    ev.set_integer("tos", static_cast<unsigned char>(p[r + 39]));
    ev.set_integer("src_as", be16(p, r + 40));
    ev.set_integer("dst_as", be16(p, r + 42));
    ev.set_integer("src_mask", static_cast<unsigned char>(p[r + 44]));
    ev.set_integer("dst_mask", static_cast<unsigned char>(p[r + 45]));
    if (sampling_interval > 1) ev.set_integer("sampling_rate", sampling_interval);
    ev.set_integer("engine_type", static_cast<unsigned char>(p[20]));
    ev.set_integer("engine_id", static_cast<unsigned char>(p[21]));
    ev.set_integer("sequence", sequence + i);
    out.push_back(std::move(ev));
  }
  return count;
}

}  // namespace talaia::collectors::netflow
