#pragma once
// pfSense / OPNsense `filterlog` CSV (Netgate's "Raw Filter Log Format") into `filterlog.<name>`:
//   rule_number, sub_rule_number, anchor, tracker, interface, reason, action, direction,
//   ip_version; IPv4: tos, ecn, ttl, id, offset, flags, protocol_id, protocol; IPv6: class,
//   flow_label, hop_limit, protocol, protocol_id; then length, source_ip, destination_ip;
//   TCP/UDP: source_port, destination_port, data_length; TCP: tcp_flags, sequence_number, ack,
//   window, urg, options; ICMP: icmp_type and the rest as icmp_data (or `datalength=N` as
//   data_length); CARP: carp_type, carp_ttl, vhid, version, advskew, advbase.
// Empty columns give no field. Pure.
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

// False when the record has fewer columns than its IP version requires (what was read is kept).
bool parse_filterlog(std::string_view message, core::event& out);

}  // namespace talaia::collectors::syslog
