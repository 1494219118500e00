#pragma once
// What a UDP payload carries, recognised by its content rather than its port (pure): exporters
// and syslog senders use whatever ports their operators chose.
#include <cstdint>
#include <string_view>

namespace talaia::collectors::capture {

enum class payload_kind : std::uint8_t { netflow_v5, netflow_v9, ipfix, sflow, syslog, unknown };

std::string_view to_string(payload_kind k);  // "netflow_v5", "netflow_v9", "ipfix", "sflow", "syslog", "unknown"

// Checks each format's header for consistency (version, counts and lengths that fit the
// payload), then falls back to syslog for printable text; `unknown` for anything else.
payload_kind recognise_payload(std::string_view payload);

}  // namespace talaia::collectors::capture
