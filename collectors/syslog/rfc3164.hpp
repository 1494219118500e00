#pragma once
// RFC 3164 ("BSD") header after the PRI, as senders really write it:
//   [TIMESTAMP SP+ [HOSTNAME SP]] [TAG[`[`pid`]`]: ]MSG
// TIMESTAMP is `Mmm dd hh:mm:ss` (optional fraction, optional year, optional trailing `:`) or
// RFC 3339. Without a timestamp there is no hostname either (as rsyslog reads it); the first
// word is then a tag or the start of the message. A word is a tag when it is `name:` followed
// by a space or the end (name not all digits), or `name[pid]` optionally followed by `:`.
#include <string_view>

#include "collectors/syslog/parser.hpp"
#include "core/event.hpp"

namespace talaia::collectors::syslog {

// Sets timestamp, hostname, app_name and procid on `out`.
parse_outcome parse_rfc3164(std::string_view after_pri, const parse_context& ctx,
                            core::event& out);

}  // namespace talaia::collectors::syslog
