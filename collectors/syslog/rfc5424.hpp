#pragma once
// RFC 5424 header and structured data, after the PRI:
//   VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
#include <string_view>

#include "collectors/syslog/parser.hpp"
#include "core/event.hpp"

namespace talaia::collectors::syslog {

// True when what follows the PRI starts like RFC 5424: a 1-3 digit VERSION (first digit not
// 0), a space, then `-` or an RFC 3339 date. Otherwise the message is read as RFC 3164.
bool is_rfc5424(std::string_view after_pri);

// Sets timestamp, hostname, app_name, procid, msgid and sd.* on `out`. On a malformed header
// it stops there and returns the unparsed rest as the message, with the error.
parse_outcome parse_rfc5424(std::string_view after_pri, const parse_context& ctx,
                            core::event& out);

}  // namespace talaia::collectors::syslog
