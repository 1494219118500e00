#pragma once
// NetFlow v9 / IPFIX information elements: which event field each one becomes and how its
// bytes read (pure). Elements without a Talaia name become `ie.<enterprise>.<id>`.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace talaia::collectors::netflow {

// How an element's value is read and what the decoder does with it.
enum class value_kind : std::uint8_t {
  integer,      // unsigned big-endian, 1-8 bytes
  ipv4,         // 4 bytes
  ipv6,         // 16 bytes
  mac,          // 6 bytes
  text,         // UTF-8 (variable-length strings: interface and sampler names)
  octets,       // anything else: lowercase hex
  seconds,      // time, seconds since the epoch
  millis,       // time, milliseconds since the epoch
  ntp_micros,   // time, NTP timestamp (RFC 7011 dateTimeMicroseconds)
  ntp_nanos,    // time, NTP timestamp (dateTimeNanoseconds)
  uptime_start, // flowStartSysUpTime: exporter uptime in ms
  uptime_end,   // flowEndSysUpTime
  skip,         // paddingOctets
};

struct element_info {
  std::string_view name;  // event field name; empty: `ie.<enterprise>.<id>`
  value_kind kind = value_kind::integer;
};

// What Talaia knows about element `id` of `enterprise` (0: IANA / NetFlow v9).
element_info element(std::uint32_t enterprise, std::uint16_t id);

// The name of an element without a Talaia name: "ie.<enterprise>.<id>".
std::string unnamed_element(std::uint32_t enterprise, std::uint16_t id);

// Value readers. None of them reads past `bytes`; callers check lengths.
// Big-endian, up to 8 bytes (inlined: every integer field of every record is read by it).
[[gnu::always_inline]] inline std::uint64_t read_unsigned(std::string_view b) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  switch (b.size()) {  // the usual widths read at once
    case 1: return p[0];
    case 2: return (std::uint64_t{p[0]} << 8) | p[1];
    case 4: return (std::uint64_t{p[0]} << 24) | (std::uint64_t{p[1]} << 16) | (std::uint64_t{p[2]} << 8) | p[3];
    default: break;
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < b.size() && i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
std::string ipv4_text(std::string_view four_bytes);
std::string ipv6_text(std::string_view sixteen_bytes);
// The same texts written into `out` (16 and 46 bytes of room: up to 15 and 45 characters, and a
// byte the writing may touch past them); return their length.
inline std::size_t format_ipv4(std::string_view four_bytes, char* out);
std::size_t format_ipv6(std::string_view sixteen_bytes, char* out);
std::string mac_text(std::string_view bytes);
std::string hex_text(std::string_view bytes);

// "::ffff:192.0.2.1" -> "192.0.2.1"; anything else unchanged. Template keys and the `exporter`
// field use the normalised form, so a dual-stack socket and an IPv4 one see the same exporter.
std::string normalise_address(std::string_view address);

// "0." .. "255.", each in 4 bytes, and the digits' count: an octet and its dot are one 4-byte copy.
struct ipv4_octet_texts {
  char text[256][4];
  std::uint8_t digits[256];
  constexpr ipv4_octet_texts() : text{}, digits{} {
    for (unsigned v = 0; v < 256; ++v) {
      unsigned n = 0;
      if (v >= 100) text[v][n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) text[v][n++] = static_cast<char>('0' + v / 10 % 10);
      text[v][n++] = static_cast<char>('0' + v % 10);
      digits[v] = static_cast<std::uint8_t>(n);
      text[v][n] = '.';
    }
  }
};
inline constexpr ipv4_octet_texts ipv4_octets;

// Inline: a flow record has two or three addresses.
inline std::size_t format_ipv4(std::string_view b, char* out) {
  if (b.size() < 4) return 0;
  char* p = out;
  // Four copies written out (GCC keeps a loop of four at -O2: a counter and a branch an octet).
  const auto octet = [&p](char byte) {
    const auto v = static_cast<unsigned char>(byte);
    std::memcpy(p, ipv4_octets.text[v], 4);  // the last octet's copy may reach byte 16
    p += ipv4_octets.digits[v] + 1;
  };
  octet(b[0]);
  octet(b[1]);
  octet(b[2]);
  octet(b[3]);
  return static_cast<std::size_t>(p - out) - 1;  // less the last octet's dot
}

}  // namespace talaia::collectors::netflow
