#include "collectors/netflow/sflow.hpp"

#include "collectors/netflow/fields.hpp"
#include "core/bytes.hpp"

namespace talaia::collectors::netflow {

namespace {

using core::be16;
using core::be32;
using core::be64;

std::int64_t clamp64(std::uint64_t v) { return v > 0x7FFFFFFFFFFFFFFFULL ? 0x7FFFFFFFFFFFFFFFLL : static_cast<std::int64_t>(v); }

// Bounds-checked reading of XDR (big-endian, 4-byte aligned) fields.
struct cursor {
  std::string_view b;
  std::size_t at = 0;
  bool ok = true;

  bool has(std::size_t n) const { return ok && n <= b.size() - at; }
  std::uint32_t u32() {
    if (!has(4)) return ok = false, 0;
    at += 4;
    return be32(b, at - 4);
  }
  std::string_view bytes(std::size_t n) {
    if (!has(n)) return ok = false, std::string_view();
    std::string_view v = b.substr(at, n);
    at += (n + 3) & ~std::size_t{3};
    if (at > b.size()) at = b.size();
    return v;
  }
};

std::string agent_address(cursor& c) {
  const std::uint32_t type = c.u32();
  if (type == 1) return ipv4_text(c.bytes(4));
  if (type == 2) return ipv6_text(c.bytes(16));
  c.ok = false;
  return {};
}

// The 5-tuple of a sampled packet header: Ethernet (VLAN tags too), IPv4 or IPv6.
void read_packet_header(std::uint32_t protocol, std::string_view h, core::event& ev) {
  std::uint32_t ether_type = 0;
  if (protocol == 1) {  // Ethernet
    if (h.size() < 14) return;
    std::size_t off = 12;
    ether_type = be16(h, off);
    while ((ether_type == 0x8100 || ether_type == 0x88a8) && h.size() >= off + 6) {
      off += 4;
      ether_type = be16(h, off);
    }
    h = h.substr(off + 2);
  } else if (protocol == 11) {
    ether_type = 0x0800;
  } else if (protocol == 12) {
    ether_type = 0x86dd;
  } else {
    return;
  }
  std::size_t l4 = 0;
  unsigned proto = 0;
  if (ether_type == 0x0800 && h.size() >= 20 && (static_cast<unsigned char>(h[0]) >> 4) == 4) {
    l4 = (static_cast<unsigned char>(h[0]) & 0xF) * 4u;
    proto = static_cast<unsigned char>(h[9]);
    ev.set_ip("src_ip", ipv4_text(h.substr(12, 4)));
    ev.set_ip("dst_ip", ipv4_text(h.substr(16, 4)));
    ev.set_integer("tos", static_cast<unsigned char>(h[1]));
    if ((be16(h, 6) & 0x1FFF) != 0) return;  // a later fragment: no transport header
  } else if (ether_type == 0x86dd && h.size() >= 40 && (static_cast<unsigned char>(h[0]) >> 4) == 6) {
    l4 = 40;
    proto = static_cast<unsigned char>(h[6]);
    ev.set_ip("src_ip", ipv6_text(h.substr(8, 16)));
    ev.set_ip("dst_ip", ipv6_text(h.substr(24, 16)));
  } else {
    return;
  }
  ev.set_integer("proto", proto);
  if ((proto == 6 || proto == 17 || proto == 132) && h.size() >= l4 + 4) {
    ev.set_integer("src_port", be16(h, l4));
    ev.set_integer("dst_port", be16(h, l4 + 2));
    if (proto == 6 && h.size() >= l4 + 14) ev.set_integer("tcp_flags", static_cast<unsigned char>(h[l4 + 13]));
  } else if ((proto == 1 || proto == 58) && h.size() >= l4 + 2) {
    ev.set_integer("icmp_type", static_cast<unsigned char>(h[l4]));
    ev.set_integer("icmp_code", static_cast<unsigned char>(h[l4 + 1]));
  }
}

core::event base_event(std::string_view kind, std::string_view peer, std::string_view agent, std::int64_t received) {
  core::event ev;
  ev.set_string("kind", kind);
  ev.set_time("received", received);
  ev.set_ip("peer", peer);
  ev.set_ip("exporter", normalise_address(agent));
  ev.set_string("flow_type", "sflow");
  ev.set_integer("flow_version", 5);
  return ev;
}

// Flow sample (format 1) or expanded flow sample (3).
bool flow_sample(std::string_view body, bool expanded, std::string_view peer, std::string_view agent,
                 std::int64_t received, std::vector<core::event>& out) {
  cursor c{body};
  c.u32();  // sample sequence
  std::uint32_t source_index;
  if (expanded) c.u32(), source_index = c.u32();
  else source_index = c.u32() & 0xFFFFFF;
  const std::uint32_t rate = c.u32();
  c.u32(), c.u32();  // sample pool, drops
  std::uint32_t in_if, out_if;
  if (expanded) c.u32(), in_if = c.u32(), c.u32(), out_if = c.u32();
  else in_if = c.u32() & 0x3FFFFFFF, out_if = c.u32() & 0x3FFFFFFF;
  const std::uint32_t records = c.u32();
  if (!c.ok) return false;
  core::event ev = base_event("flow", peer, agent, received);
  ev.set_integer("observation_domain", source_index);
  std::uint32_t frame_length = 0;
  for (std::uint32_t i = 0; i < records && c.ok; ++i) {
    const std::uint32_t format = c.u32();
    const std::uint32_t length = c.u32();
    const std::string_view r = c.bytes(length);
    if (!c.ok) return false;
    if (format == 1 && r.size() >= 16) {  // raw packet header
      const std::uint32_t protocol = be32(r, 0);
      frame_length = be32(r, 4);
      const std::size_t header_length = be32(r, 12);
      if (header_length <= r.size() - 16) read_packet_header(protocol, r.substr(16, header_length), ev);
    }
  }
  const std::int64_t n = rate == 0 ? 1 : rate;
  ev.set_integer("bytes", clamp64(std::uint64_t{frame_length} * static_cast<std::uint64_t>(n)));
  ev.set_integer("packets", n);
  ev.set_integer("bytes_raw", frame_length);
  ev.set_integer("packets_raw", 1);
  ev.set_integer("sampling_rate", n);
  ev.set_integer("in_if", in_if);
  ev.set_integer("out_if", out_if);
  out.push_back(std::move(ev));
  return true;
}

// Counter sample (format 2) or expanded counter sample (4): generic interface counters.
bool counter_sample(std::string_view body, bool expanded, std::string_view peer, std::string_view agent,
                    std::int64_t received, std::vector<core::event>& out) {
  cursor c{body};
  c.u32();  // sample sequence
  if (expanded) c.u32(), c.u32();
  else c.u32();
  const std::uint32_t records = c.u32();
  for (std::uint32_t i = 0; i < records && c.ok; ++i) {
    const std::uint32_t format = c.u32();
    const std::uint32_t length = c.u32();
    const std::string_view r = c.bytes(length);
    if (!c.ok) return false;
    if (format != 1 || r.size() < 88) continue;
    core::event ev = base_event("interface_counters", peer, agent, received);
    ev.set_integer("if_index", be32(r, 0));
    ev.set_integer("if_type", be32(r, 4));
    ev.set_integer("if_speed", clamp64(be64(r, 8)));
    ev.set_integer("if_status", be32(r, 20));
    ev.set_integer("in_octets", clamp64(be64(r, 24)));
    ev.set_integer("in_unicast_packets", be32(r, 32));
    ev.set_integer("in_discards", be32(r, 44));
    ev.set_integer("in_errors", be32(r, 48));
    ev.set_integer("out_octets", clamp64(be64(r, 56)));
    ev.set_integer("out_unicast_packets", be32(r, 64));
    ev.set_integer("out_discards", be32(r, 76));
    ev.set_integer("out_errors", be32(r, 80));
    out.push_back(std::move(ev));
  }
  return c.ok;
}

}  // namespace

bool is_sflow(std::string_view d) {
  return d.size() >= 28 && be32(d, 0) == 5 && (be32(d, 4) == 1 || be32(d, 4) == 2);
}

core::result<std::size_t> decode_sflow(std::string_view d, std::string_view peer, std::int64_t received,
                                       std::vector<core::event>& out, sflow_header* header) {
  if (!is_sflow(d)) return core::make_error("not an sFlow v5 datagram");
  cursor c{d};
  c.u32();
  sflow_header h;
  h.agent = agent_address(c);
  h.sub_agent = c.u32();
  h.sequence = c.u32();
  c.u32();  // uptime
  h.samples = c.u32();
  if (!c.ok) return core::make_error("sFlow datagram shorter than its header");
  if (header) *header = h;
  const std::size_t before = out.size();
  for (std::uint32_t i = 0; i < h.samples; ++i) {
    const std::uint32_t format = c.u32();
    const std::uint32_t length = c.u32();
    const std::string_view body = c.bytes(length);
    if (!c.ok) return core::make_error("sFlow sample " + std::to_string(i) + " overruns the datagram");
    bool ok = true;
    if (format == 1 || format == 3) ok = flow_sample(body, format == 3, peer, h.agent, received, out);
    else if (format == 2 || format == 4) ok = counter_sample(body, format == 4, peer, h.agent, received, out);
    if (!ok) return core::make_error("sFlow sample " + std::to_string(i) + " is malformed");
  }
  return out.size() - before;
}

}  // namespace talaia::collectors::netflow
