#include "collectors/capture/pcap.hpp"

#include "collectors/capture/pcapng.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace talaia::collectors::capture {

namespace {

std::uint32_t u16be(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 8) | static_cast<unsigned char>(b[at + 1]);
}

std::uint32_t u32(std::string_view b, std::size_t at, bool swap) {
  std::uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return swap ? __builtin_bswap32(v) : v;
}

std::string ip_text(int family, const char* bytes) {
  char buf[INET6_ADDRSTRLEN];
  return inet_ntop(family, bytes, buf, sizeof buf) ? std::string(buf) : std::string();
}

// One IP packet: appends its UDP datagram, if it is one.
void take_ip(std::string_view p, std::int64_t t, std::vector<udp_datagram>& out) {
  if (p.empty()) return;
  const int version = static_cast<unsigned char>(p[0]) >> 4;
  std::size_t udp_at;
  udp_datagram d;
  d.time_micros = t;
  if (version == 4) {
    if (p.size() < 20) return;
    const std::size_t ihl = (static_cast<unsigned char>(p[0]) & 0xF) * 4u;
    const bool fragment = (u16be(p, 6) & 0x3FFF) != 0;
    if (ihl < 20 || p.size() < ihl + 8 || p[9] != 17 || fragment) return;
    d.src_ip = ip_text(AF_INET, p.data() + 12);
    d.dst_ip = ip_text(AF_INET, p.data() + 16);
    udp_at = ihl;
  } else if (version == 6) {
    if (p.size() < 48 || p[6] != 17) return;  // no extension headers
    d.src_ip = ip_text(AF_INET6, p.data() + 8);
    d.dst_ip = ip_text(AF_INET6, p.data() + 24);
    udp_at = 40;
  } else {
    return;
  }
  d.src_port = static_cast<std::uint16_t>(u16be(p, udp_at));
  d.dst_port = static_cast<std::uint16_t>(u16be(p, udp_at + 2));
  const std::size_t len = u16be(p, udp_at + 4);
  if (len < 8 || udp_at + len > p.size()) return;
  d.payload.assign(p.substr(udp_at + 8, len - 8));
  out.push_back(std::move(d));
}

}  // namespace

void append_frame_udp(std::uint32_t linktype, std::string_view frame, std::int64_t t, std::vector<udp_datagram>& out) {
  if (linktype == 1) {  // Ethernet
    if (frame.size() < 14) return;
    std::size_t off = 12;
    std::uint32_t type = u16be(frame, off);
    while ((type == 0x8100 || type == 0x88a8) && frame.size() >= off + 6) {
      off += 4;
      type = u16be(frame, off);
    }
    if (type == 0x0800 || type == 0x86dd) take_ip(frame.substr(off + 2), t, out);
  } else if (linktype == 113) {  // Linux cooked
    if (frame.size() >= 16) take_ip(frame.substr(16), t, out);
  } else if (linktype == 276) {  // Linux cooked v2
    if (frame.size() >= 20) take_ip(frame.substr(20), t, out);
  } else if (linktype == 0 || linktype == 108) {  // BSD loopback: 4-byte family
    if (frame.size() >= 4) take_ip(frame.substr(4), t, out);
  } else if (linktype == 101 || linktype == 12 || linktype == 14 || linktype == 228 || linktype == 229) {  // raw IP
    take_ip(frame, t, out);
  }
}

bool link_type_supported(std::uint32_t linktype) {
  switch (linktype) {
    case 0: case 1: case 12: case 14: case 101: case 108: case 113: case 228: case 229: case 276: return true;
    default: return false;
  }
}

core::result<std::vector<udp_datagram>> read_pcap_udp(std::string_view b) {
  if (b.size() >= 4 && u32(b, 0, false) == 0x0a0d0d0a) return read_pcapng_udp(b);
  if (b.size() < 24) return core::make_error("not a pcap file: too short");
  const std::uint32_t magic = u32(b, 0, false);
  bool swap, nanos;
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) swap = false, nanos = magic == 0xa1b23c4d;
  else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) swap = true, nanos = magic == 0x4d3cb2a1;
  else return core::make_error("not a pcap or pcapng file");
  const std::uint32_t linktype = u32(b, 20, swap) & 0xFFFF;
  if (!link_type_supported(linktype)) return core::make_error("pcap link type " + std::to_string(linktype) + " is not supported");
  std::vector<udp_datagram> out;
  std::size_t at = 24;
  while (at + 16 <= b.size()) {
    const std::int64_t t = static_cast<std::int64_t>(u32(b, at, swap)) * 1000000 +
                           (nanos ? u32(b, at + 4, swap) / 1000 : u32(b, at + 4, swap));
    const std::size_t caplen = u32(b, at + 8, swap);
    at += 16;
    if (caplen > b.size() - at) return core::make_error("pcap file truncated in a packet");
    append_frame_udp(linktype, b.substr(at, caplen), t, out);
    at += caplen;
  }
  return out;
}

}  // namespace talaia::collectors::capture
