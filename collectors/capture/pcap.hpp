#pragma once
// Reads UDP datagrams out of a classic pcap capture (Ethernet, optional VLAN tags, Linux
// cooked, raw IP; IPv4 and IPv6), for replaying flow exports through the collectors' decoders.
// Pure: bytes in, datagrams out. pcapng and IP fragments are not handled yet.
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

// Every UDP datagram of the capture, in capture order; packets of other kinds are skipped.
core::result<std::vector<udp_datagram>> read_pcap_udp(std::string_view file_bytes);

}  // namespace talaia::collectors::capture
