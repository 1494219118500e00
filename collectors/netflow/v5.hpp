#pragma once
// NetFlow v5 export packets to flow events (pure). v9, IPFIX and sFlow come with their own
// decoders (template caches); a packet of another version is reported, not guessed at.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/result.hpp"

namespace talaia::collectors::netflow {

inline constexpr std::size_t v5_header_size = 24;
inline constexpr std::size_t v5_record_size = 48;

// The export version of a NetFlow/IPFIX packet, or 0 when it is too short to say.
std::uint16_t packet_version(std::string_view packet);

// Appends one event per flow record. Fields: kind "flow", received, peer, exporter,
// flow_version 5, observation_domain (engine type << 8 | engine id), src_ip, dst_ip, next_hop,
// src_port, dst_port, proto, tcp_flags, tos, bytes, packets, start, end, in_if, out_if, src_as,
// dst_as, src_mask, dst_mask, sampling_rate (when the header says the export is sampled: then
// bytes and packets are scaled by it and the raw counts kept as bytes_raw and packets_raw),
// engine_type, engine_id, sequence.
// Error (and nothing appended) when the packet is not v5 or its length disagrees with its count.
core::result<std::size_t> decode_v5(std::string_view packet, std::string_view exporter, std::int64_t received_micros,
                                    std::vector<core::event>& out);

}  // namespace talaia::collectors::netflow
