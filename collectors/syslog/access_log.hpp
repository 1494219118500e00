#pragma once
// Apache and nginx access logs (common and combined formats, as sent over syslog) into the W3C
// extended field names that Sigma's webserver rules use:
//   c-ip, cs-username, date, time (UTC, from `[dd/Mon/yyyy:hh:mm:ss +zone]`), cs-method,
//   cs-uri-stem (the path), cs-uri-query and cs-uri (the whole request URI, path and query:
//   SigmaHQ's webserver rules match paths and parameters together in cs-uri-query, so it is not
//   W3C's query-only field), cs-version, sc-status (integer), sc-bytes (integer), cs-referer,
//   cs-user-agent. `-` means absent. nginx's X-Forwarded-For lists
//   (`10.0.0.2, 10.0.0.1 - - [...]`) give the first address as c-ip. Pure, never throws.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

// Sets the fields and returns the request time (UTC micros) when `message` is an access log
// line; returns nullopt and sets nothing otherwise.
std::optional<std::int64_t> parse_access_log(std::string_view message, core::event& out);

}  // namespace talaia::collectors::syslog
