#pragma once
// The message body in a known format to fields, after the header: parse() calls it last, so
// these fields follow `raw` (and come before `parse_error`). First match wins:
//   CEF and LEEF anywhere in the message (`cef.*`, `leef.*`, see cef.hpp; `cef.rt` or
//   `leef.devTime` give the event time when the header had none); `filterlog` CSV
//   (tag `filterlog`, see filterlog.hpp); Junos RT_FLOW session text (`junos.*`, junos.hpp);
//   PAN-OS CSV (`panos.*`); FortiGate key=value
//   (`fortigate.<key>`, quotes removed; its `date`/`time` give the event time when the header
//   had none); OpenSSH authentication lines (tag `sshd`: `user`, `src_ip`, `src_port`,
//   `sshd.*`, see sshd.hpp); Apache/nginx access logs (W3C names, see access_log.hpp); Cisco
//   `%FAC-SEV-MNEMONIC` (`cisco.facility`, `cisco.severity`, `cisco.mnemonic`, with the header's
//   `cisco.sequence`, `cisco.node`, `cisco.clock`); else, when the source asks for it
//   (parse_context::key_value), generic `kv.<key>` pairs.
// `format` names what matched: cef, leef, filterlog, junos, panos, fortigate, sshd, access_log, cisco,
// key_value. Pure, never throws.
#include <string_view>

#include "collectors/syslog/parser.hpp"
#include "core/event.hpp"

namespace talaia::collectors::syslog {

struct body_input {
  std::string_view message;
  std::string_view app_name;
  bool header_has_time = false;
  const parse_outcome* header = nullptr;
};

// Returns the parse_error the body earns (empty when none).
std::string_view parse_body(const body_input& in, const parse_context& ctx, core::event& out);

}  // namespace talaia::collectors::syslog
