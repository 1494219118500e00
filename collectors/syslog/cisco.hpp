#pragma once
// Cisco's syslog deviations (IOS, IOS-XE, IOS-XR, NX-OS, ASA, FTD). Pure, never throws.
//
// Header, after the PRI, where an RFC 3164 timestamp would be:
//   [SEQ ": "] [HOST ": " | HOST " " NODE ":" | NODE ":"] [("*"|".")] TIMESTAMP [" " ZONE] [" "] ":"
//   e.g. `521: router1: *Nov 14 08:30:56.699: `, `94307: gw2 LC/0/2/CPU0:Jul  7 20:16:14.834 : `,
//        `138076: RP/0/RP0/CPU0:Dec 11 12:43:29.227 EST: `, `sw01: 2017 Jul 28 14:42:46 UTC: `,
//        `2018 Apr 20 13:15:07 ` (NX-OS, year first), `123030: host: ` (no clock)
// `*` means the clock is not authoritative, `.` that it was but lost synchronisation.
//
// Message tag: `%FACILITY-SEVERITY-MNEMONIC` (`%LINK-5-CHANGED`, `%ASA-4-106023`,
// `%ROUTING-BGP-5-MAXPFX`: the facility is all before the single-digit severity).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/syslog/parser.hpp"

namespace talaia::collectors::syslog {

struct cisco_header {
  std::string_view sequence;  // empty when absent
  std::string_view host;
  std::string_view node;      // IOS-XR `RP/0/RSP0/CPU0`
  char clock_marker = 0;      // '*', '.' or 0
  bool has_timestamp = false;
  std::optional<std::int64_t> micros;  // UTC; nullopt when absent or invalid
  std::size_t end = 0;        // where the tag or message starts
};

// Reads a Cisco header at `s[pos]`; nullopt when the text does not start like one (a plain
// RFC 3164 header, for instance).
std::optional<cisco_header> read_cisco_header(std::string_view s, std::size_t pos, const parse_context& ctx);

struct cisco_tag {
  std::string_view facility;
  int severity = 0;
  std::string_view mnemonic;
};

// `%FAC-SEV-MNEMONIC` at the start of `text` (up to `:`, a space or the end).
std::optional<cisco_tag> read_cisco_tag(std::string_view text);

// The first `%FAC-SEV-MNEMONIC` in the first 256 bytes of a message, at its start or after a space.
std::optional<cisco_tag> find_cisco_tag(std::string_view message);

}  // namespace talaia::collectors::syslog
