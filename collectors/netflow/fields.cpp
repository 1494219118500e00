#include "collectors/netflow/fields.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace talaia::collectors::netflow {

element_info element(std::uint32_t enterprise, std::uint16_t id) {
  using k = value_kind;
  if (enterprise != 0) return {{}, k::integer};
  switch (id) {
    case 1: case 85: return {"bytes", k::integer};
    case 2: case 86: return {"packets", k::integer};
    case 3: return {"flows", k::integer};
    case 4: return {"proto", k::integer};
    case 5: return {"tos", k::integer};
    case 6: return {"tcp_flags", k::integer};
    case 7: return {"src_port", k::integer};
    case 8: return {"src_ip", k::ipv4};
    case 9: case 29: return {"src_mask", k::integer};
    case 10: return {"in_if", k::integer};
    case 11: return {"dst_port", k::integer};
    case 12: return {"dst_ip", k::ipv4};
    case 13: case 30: return {"dst_mask", k::integer};
    case 14: return {"out_if", k::integer};
    case 15: return {"next_hop", k::ipv4};
    case 16: return {"src_as", k::integer};
    case 17: return {"dst_as", k::integer};
    case 18: return {"bgp_next_hop", k::ipv4};
    case 21: return {"end", k::uptime_end};
    case 22: return {"start", k::uptime_start};
    case 23: return {"out_bytes", k::integer};
    case 24: return {"out_packets", k::integer};
    case 27: return {"src_ip", k::ipv6};
    case 28: return {"dst_ip", k::ipv6};
    case 31: return {"flow_label", k::integer};
    case 32: case 139: return {"icmp_type_code", k::integer};
    case 34: return {"sampling_interval", k::integer};
    case 35: return {"sampling_algorithm", k::integer};
    case 48: return {"sampler_id", k::integer};
    case 49: return {"sampler_mode", k::integer};
    case 50: return {"sampler_random_interval", k::integer};
    case 52: return {"min_ttl", k::integer};
    case 53: return {"max_ttl", k::integer};
    case 56: return {"src_mac", k::mac};
    case 58: return {"vlan", k::integer};
    case 60: return {"ip_version", k::integer};
    case 61: return {"direction", k::integer};
    case 62: return {"next_hop", k::ipv6};
    case 63: return {"bgp_next_hop", k::ipv6};
    case 80: return {"dst_mac", k::mac};
    case 82: return {"if_name", k::text};
    case 83: return {"if_description", k::text};
    case 84: return {"sampler_name", k::text};
    case 89: return {"forwarding_status", k::integer};
    case 94: return {"application_description", k::text};
    case 96: return {"application_name", k::text};
    case 136: return {"flow_end_reason", k::integer};
    case 148: return {"flow_id", k::integer};
    case 150: return {"start", k::seconds};
    case 151: return {"end", k::seconds};
    case 152: return {"start", k::millis};
    case 153: return {"end", k::millis};
    case 154: return {"start", k::ntp_micros};
    case 155: return {"end", k::ntp_micros};
    case 156: return {"start", k::ntp_nanos};
    case 157: return {"end", k::ntp_nanos};
    case 160: return {"system_init_time", k::millis};
    case 176: case 178: return {"icmp_type", k::integer};
    case 177: case 179: return {"icmp_code", k::integer};
    case 210: return {{}, k::skip};
    case 225: case 40001: return {"nat_src_ip", k::ipv4};
    case 226: case 40002: return {"nat_dst_ip", k::ipv4};
    case 227: case 40003: return {"nat_src_port", k::integer};
    case 228: case 40004: return {"nat_dst_port", k::integer};
    case 230: return {"nat_event", k::integer};
    case 231: return {"initiator_bytes", k::integer};
    case 232: return {"responder_bytes", k::integer};
    case 233: case 40005: return {"firewall_event", k::integer};
    case 234: return {"ingress_vrf", k::integer};
    case 235: return {"egress_vrf", k::integer};
    case 281: return {"nat_src_ip", k::ipv6};
    case 282: return {"nat_dst_ip", k::ipv6};
    case 298: return {"initiator_packets", k::integer};
    case 299: return {"responder_packets", k::integer};
    case 302: return {"selector_id", k::integer};
    case 305: return {"sampling_packet_interval", k::integer};
    case 306: return {"sampling_packet_space", k::integer};
    case 309: return {"sampling_size", k::integer};
    case 310: return {"sampling_population", k::integer};
    case 323: return {"observation_time", k::millis};
    case 335: return {"selector_name", k::text};
    case 33002: return {"firewall_extended_event", k::integer};
    case 40000: return {"user", k::text};
    default: return {{}, k::integer};
  }
}

std::string unnamed_element(std::uint32_t enterprise, std::uint16_t id) {
  return "ie." + std::to_string(enterprise) + "." + std::to_string(id);
}

std::size_t format_ipv6(std::string_view b, char* out) {
  if (b.size() < 16) return 0;
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, b.data(), buf, sizeof buf)) return 0;
  const std::size_t n = std::strlen(buf);
  std::memcpy(out, buf, n);
  return n;
}

std::string ipv4_text(std::string_view b) {
  char buf[16];
  return std::string(buf, format_ipv4(b, buf));
}

std::string ipv6_text(std::string_view b) {
  char buf[INET6_ADDRSTRLEN];
  return std::string(buf, format_ipv6(b, buf));
}

std::string hex_text(std::string_view b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (unsigned char c : b) s += digits[c >> 4], s += digits[c & 0xF];
  return s;
}

std::string mac_text(std::string_view b) {
  std::string h = hex_text(b), s;
  for (std::size_t i = 0; i < h.size(); i += 2) {
    if (i) s += ':';
    s.append(h, i, 2);
  }
  return s;
}

std::string normalise_address(std::string_view a) {
  constexpr std::string_view mapped = "::ffff:";
  if (a.size() > mapped.size() && a.substr(0, mapped.size()) == mapped && a.find('.') != std::string_view::npos)
    return std::string(a.substr(mapped.size()));
  return std::string(a);
}

}  // namespace talaia::collectors::netflow
