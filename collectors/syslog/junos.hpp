#pragma once
// Junos SRX session logs in their plain-text form (the structured RFC 5424 form already gives
// `sd.junos@...` fields):
//   RT_FLOW_SESSION_CREATE: session created S/SP->D/DP [0x0] SERVICE NS/NSP->ND/NDP [0x0] NAT-RULES
//                           PROTO POLICY FROM-ZONE TO-ZONE SESSION-ID ...
//   RT_FLOW_SESSION_CLOSE: session closed REASON: (the same) ... PKTS(BYTES) PKTS(BYTES) ELAPSED ...
//   RT_FLOW_SESSION_DENY: session denied S/SP->D/DP SERVICE PROTO(ICMP-TYPE) POLICY FROM-ZONE TO-ZONE ...
// into `junos.<name>` with the names of the structured form: reason, source-address,
// source-port, destination-address, destination-port, service-name, nat-source-address,
// nat-source-port, nat-destination-address, nat-destination-port, protocol-id, policy-name,
// source-zone-name, destination-zone-name, session-id-32, packets-from-client,
// bytes-from-client, packets-from-server, bytes-from-server, elapsed-time. The NAT rule columns,
// whose number of words varies between releases, are skipped. Pure, never throws.
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

// True (and fields set) when `message` starts with an RT_FLOW_SESSION_CREATE/CLOSE/DENY tag (or
// has one after `: ` in its first 128 bytes, for lines that arrive with their header unparsed).
bool parse_junos_session(std::string_view message, core::event& out);

}  // namespace talaia::collectors::syslog
