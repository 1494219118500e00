#include "alerts/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace talaia::alerts {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

core::result<url_parts> parse_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.substr(0, scheme.size()) != scheme) return core::make_error("'" + std::string(url) + "' is not an http:// URL");
  std::string_view rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty()) return core::make_error("'" + std::string(url) + "' has no host");
  std::string host(authority), port = "80";
  if (auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    host = std::string(authority.substr(0, colon));
    port = std::string(authority.substr(colon + 1));
  } else if (authority.front() == '[') {
    auto close = authority.find(']');
    host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = std::string(authority.substr(close + 2));
  }
  return url_parts{host, port, target};
}

namespace {

core::result<http_response> request(http::verb verb, const std::string& url, const std::string& body,
                                     std::chrono::milliseconds timeout) {
  auto parts = parse_http_url(url);
  if (!parts) return parts.err();
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(parts->host, parts->port, ec);
  if (ec) return core::make_error(url + ": cannot resolve: " + ec.message());
  stream.expires_after(timeout);
  stream.connect(endpoints, ec);
  if (ec) return core::make_error(url + ": cannot connect: " + ec.message());
  http::request<http::string_body> req{verb, parts->target, 11};
  req.set(http::field::host, parts->host);
  req.set(http::field::user_agent, "talaia");
  if (verb == http::verb::post) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  stream.expires_after(timeout);
  http::write(stream, req, ec);
  if (ec) return core::make_error(url + ": sending the request failed: " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  stream.expires_after(timeout);
  http::read(stream, buffer, res, ec);
  if (ec) return core::make_error(url + ": reading the response failed: " + ec.message());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return http_response{static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace

core::result<http_response> http_post_json(const std::string& url, const std::string& body,
                                           std::chrono::milliseconds timeout) {
  return request(http::verb::post, url, body, timeout);
}

core::result<http_response> http_get(const std::string& url, std::chrono::milliseconds timeout) {
  return request(http::verb::get, url, {}, timeout);
}

}  // namespace talaia::alerts
