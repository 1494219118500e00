#pragma once
// A minimal HTTP/1.1 client (Boost.Beast) for webhook deliveries: one POST, one connection,
// bounded by a timeout. The HTTP client seam: alerts code posts only through this.
#include <chrono>
#include <string>

#include "core/result.hpp"

namespace talaia::alerts {

struct url_parts {
  std::string host, port, target;
};
// "http://host[:port][/path]"; https is not supported yet.
core::result<url_parts> parse_http_url(std::string_view url);

struct http_response {
  int status = 0;
  std::string body;
};

core::result<http_response> http_post_json(const std::string& url, const std::string& body,
                                           std::chrono::milliseconds timeout);
core::result<http_response> http_get(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace talaia::alerts
