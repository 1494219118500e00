#include "collectors/capture/pcapng.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace talaia::collectors::capture {

namespace {

constexpr std::uint32_t section_header = 0x0A0D0D0A;
constexpr std::uint32_t interface_description = 1;
constexpr std::uint32_t obsolete_packet = 2;
constexpr std::uint32_t simple_packet = 3;
constexpr std::uint32_t enhanced_packet = 6;

struct interface {
  std::uint32_t linktype = 1;
  std::uint64_t units_per_second = 1000000;  // if_tsresol, default microseconds
  std::int64_t offset_seconds = 0;           // if_tsoffset
};

struct reader {
  std::string_view b;
  bool swap = false;

  std::uint32_t u32(std::size_t at) const {
    std::uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    return swap ? __builtin_bswap32(v) : v;
  }
  std::uint32_t u16(std::size_t at) const {
    std::uint16_t v;
    std::memcpy(&v, b.data() + at, 2);
    return swap ? __builtin_bswap16(v) : v;
  }
};

// Options of an interface description block: resolution (9) and offset (14).
void read_interface_options(const reader& r, std::size_t at, std::size_t end, interface& i) {
  while (at + 4 <= end) {
    const std::uint32_t code = r.u16(at), len = r.u16(at + 2);
    at += 4;
    if (code == 0 || len > end - at) return;
    if (code == 9 && len >= 1) {
      const auto v = static_cast<unsigned char>(r.b[at]);
      const unsigned exp = v & 0x7F;
      std::uint64_t units = 1;
      if (v & 0x80) units = exp < 63 ? (std::uint64_t{1} << exp) : 0;
      else for (unsigned k = 0; k < exp && k < 19; ++k) units *= 10;
      if (units > 0) i.units_per_second = units;
    } else if (code == 14 && len >= 8) {
      std::uint64_t v;
      std::memcpy(&v, r.b.data() + at, 8);
      i.offset_seconds = static_cast<std::int64_t>(r.swap ? __builtin_bswap64(v) : v);
    }
    at += (len + 3) & ~std::size_t{3};
  }
}

std::int64_t micros_of(const interface& i, std::uint64_t ticks) {
  const std::uint64_t secs = ticks / i.units_per_second, rest = ticks % i.units_per_second;
  const auto sub = i.units_per_second <= 1000000000000ULL
                       ? static_cast<std::int64_t>(rest * 1000000 / i.units_per_second)
                       : static_cast<std::int64_t>(static_cast<long double>(rest) * 1e6L / static_cast<long double>(i.units_per_second));
  // Untrusted values: a time outside years 0-9999 is capped rather than overflowing.
  constexpr std::int64_t max_seconds = 253402300799LL;
  std::int64_t seconds = secs > static_cast<std::uint64_t>(max_seconds) ? max_seconds : static_cast<std::int64_t>(secs);
  seconds = std::clamp<std::int64_t>(i.offset_seconds, -max_seconds, max_seconds) + seconds;
  seconds = std::clamp<std::int64_t>(seconds, -max_seconds, max_seconds);
  return seconds * 1000000 + sub;
}

}  // namespace

core::result<std::vector<udp_datagram>> read_pcapng_udp(std::string_view b) {
  reader r{b};
  std::vector<interface> interfaces;
  std::vector<udp_datagram> out;
  std::size_t at = 0;
  while (b.size() - at >= 12) {
    std::uint32_t type;
    std::memcpy(&type, b.data() + at, 4);
    if (type == section_header) {
      std::uint32_t magic;
      std::memcpy(&magic, b.data() + at + 8, 4);
      if (magic == 0x1A2B3C4D) r.swap = false;
      else if (magic == 0x4D3C2B1A) r.swap = true;
      else return core::make_error("pcapng section at byte " + std::to_string(at) + " has no byte-order magic");
      interfaces.clear();
    } else {
      type = r.u32(at);
    }
    const std::size_t length = r.u32(at + 4);
    if (length < 12 || length % 4 != 0 || length > b.size() - at)
      return core::make_error("pcapng block at byte " + std::to_string(at) + " overruns the file (truncated capture?)");
    const std::size_t body = at + 8, end = at + length - 4;
    if (type == interface_description && end - body >= 8) {
      interface i;
      i.linktype = r.u16(body);
      read_interface_options(r, body + 8, end, i);
      interfaces.push_back(i);
    } else if (type == enhanced_packet && end - body >= 20) {
      const std::uint32_t id = r.u32(body);
      const std::size_t caplen = r.u32(body + 12);
      if (id < interfaces.size() && caplen <= end - (body + 20)) {
        const std::uint64_t ticks = (std::uint64_t{r.u32(body + 4)} << 32) | r.u32(body + 8);
        append_frame_udp(interfaces[id].linktype, b.substr(body + 20, caplen), micros_of(interfaces[id], ticks), out);
      }
    } else if (type == simple_packet && end - body >= 4 && !interfaces.empty()) {
      const std::size_t caplen = std::min<std::size_t>(r.u32(body), end - (body + 4));
      append_frame_udp(interfaces[0].linktype, b.substr(body + 4, caplen), 0, out);
    } else if (type == obsolete_packet && end - body >= 20) {
      const std::uint32_t id = r.u16(body);
      const std::size_t caplen = r.u32(body + 12);
      if (id < interfaces.size() && caplen <= end - (body + 20)) {
        const std::uint64_t ticks = (std::uint64_t{r.u32(body + 4)} << 32) | r.u32(body + 8);
        append_frame_udp(interfaces[id].linktype, b.substr(body + 20, caplen), micros_of(interfaces[id], ticks), out);
      }
    }
    at += length;
  }
  if (at == 0) return core::make_error("not a pcapng file: too short");
  return out;
}

}  // namespace talaia::collectors::capture
