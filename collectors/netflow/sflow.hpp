#pragma once
// sFlow v5 datagrams (sflow.org, "sFlow Version 5") to events (pure).
//
// Flow samples (formats 1 and 3): the sampled packet header (raw header record, format 1:
// Ethernet, IPv4 or IPv6) becomes a 5-tuple; one event of kind "flow" per sample, with
// `flow_type` "sflow", `sampling_rate` N, `bytes` = frame length x N and `packets` = N (the raw
// counts kept as `bytes_raw` and `packets_raw`), `in_if`/`out_if`, `observation_domain` = the
// sample's source id index. Counter samples (formats 2 and 4) with generic interface counters
// (record format 1) become events of kind "interface_counters". Other records are skipped.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/result.hpp"

namespace talaia::collectors::netflow {

// True when the datagram starts like sFlow v5 (32-bit version 5, address type 1 or 2).
bool is_sflow(std::string_view datagram);

struct sflow_header {
  std::string agent;
  std::uint32_t sub_agent = 0, sequence = 0, samples = 0;
};

// Appends one event per flow sample and per generic interface counter record; returns how many.
// Error when the datagram header is malformed; a malformed sample ends the datagram with an
// error, keeping what was appended before it.
core::result<std::size_t> decode_sflow(std::string_view datagram, std::string_view peer, std::int64_t received_micros,
                                       std::vector<core::event>& out, sflow_header* header = nullptr);

}  // namespace talaia::collectors::netflow
