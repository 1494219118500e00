#pragma once
// Reads UDP datagrams out of a classic pcap capture (Ethernet, optional VLAN tags, Linux
// cooked, raw IP; IPv4 and IPv6), for replaying flow exports through the collectors' decoders.
// Pure: bytes in, datagrams out. A pcapng file given to read_pcap_udp is read as pcapng.
// IP fragments and IPv6 extension headers are not handled yet (such datagrams are skipped).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace talaia::collectors::capture {

struct udp_datagram {
  std::int64_t time_micros = 0;
  std::string src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
  std::string payload;
};

// Every UDP datagram of the capture (classic pcap or pcapng), in capture order; packets of
// other kinds are skipped.
core::result<std::vector<udp_datagram>> read_pcap_udp(std::string_view file_bytes);

// The link layers a capture may use: Ethernet (VLAN tags too), Linux cooked v1/v2, BSD
// loopback, raw IP.
bool link_type_supported(std::uint32_t linktype);

// Appends the UDP datagram one captured frame of `linktype` carries, if it carries one.
void append_frame_udp(std::uint32_t linktype, std::string_view frame, std::int64_t time_micros,
                      std::vector<udp_datagram>& out);

}  // namespace talaia::collectors::capture
