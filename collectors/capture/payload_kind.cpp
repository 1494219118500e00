#include "collectors/capture/payload_kind.hpp"

#include "core/bytes.hpp"

namespace talaia::collectors::capture {

namespace {

using core::be16;
using core::be32;

bool looks_v5(std::string_view p) {
  if (p.size() < 24 || be16(p, 0) != 5) return false;
  const std::size_t count = be16(p, 2);
  return count >= 1 && count <= 30 && p.size() >= 24 + count * 48;
}

// The first set after the header has a known id and a length that fits.
bool first_set_fits(std::string_view p, std::size_t header, std::uint32_t template_set, std::uint32_t options_set) {
  if (p.size() < header + 4) return false;
  const std::uint32_t id = be16(p, header), length = be16(p, header + 2);
  return (id == template_set || id == options_set || id >= 256) && length >= 4 && length <= p.size() - header;
}

bool looks_v9(std::string_view p) { return p.size() >= 24 && be16(p, 0) == 9 && first_set_fits(p, 20, 0, 1); }

bool looks_ipfix(std::string_view p) {
  if (p.size() < 20 || be16(p, 0) != 10) return false;
  const std::size_t length = be16(p, 2);
  return length >= 20 && length <= p.size() && first_set_fits(p.substr(0, length), 16, 2, 3);
}

// sFlow v5: version 5 as 32 bits, agent address type 1 (IPv4) or 2 (IPv6), a sample count.
bool looks_sflow(std::string_view p) {
  if (p.size() < 28 || be32(p, 0) != 5) return false;
  const std::uint32_t type = be32(p, 4);
  const std::size_t header = type == 1 ? 28 : type == 2 ? 40 : 0;
  return header != 0 && p.size() >= header && be32(p, header - 4) <= 1000;
}

// Syslog: "<PRI>" first, or text that is mostly printable.
bool looks_syslog(std::string_view p) {
  if (p.empty()) return false;
  if (p[0] == '<') {
    std::size_t i = 1;
    while (i < p.size() && i <= 4 && p[i] >= '0' && p[i] <= '9') ++i;
    if (i > 1 && i < p.size() && p[i] == '>') return true;
  }
  std::size_t printable = 0;
  for (unsigned char c : p) printable += (c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r' || c >= 0x80;
  return printable * 100 >= p.size() * 95 && static_cast<unsigned char>(p[0]) >= 0x20;
}

}  // namespace

std::string_view to_string(payload_kind k) {
  switch (k) {
    case payload_kind::netflow_v5: return "netflow_v5";
    case payload_kind::netflow_v9: return "netflow_v9";
    case payload_kind::ipfix: return "ipfix";
    case payload_kind::sflow: return "sflow";
    case payload_kind::syslog: return "syslog";
    case payload_kind::unknown: break;
  }
  return "unknown";
}

payload_kind recognise_payload(std::string_view p) {
  if (looks_ipfix(p)) return payload_kind::ipfix;
  if (looks_v9(p)) return payload_kind::netflow_v9;
  if (looks_sflow(p)) return payload_kind::sflow;
  if (looks_v5(p)) return payload_kind::netflow_v5;
  if (looks_syslog(p)) return payload_kind::syslog;
  return payload_kind::unknown;
}

}  // namespace talaia::collectors::capture
