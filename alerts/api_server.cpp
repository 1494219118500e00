#include "alerts/api_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>

#include "core/incident.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace talaia::alerts {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

api_response json_error(int status, std::string_view message) {
  std::string body = "{\"error\":";
  core::append_json_string(body, message);
  body += '}';
  return {status, "application/json", std::move(body)};
}

// Value of `name` in a query string, or nullopt.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool parse_count(std::optional<std::string_view> text, std::size_t min, std::size_t max, std::size_t& out) {
  if (!text) return true;
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < min || v > max) return false;
  out = v;
  return true;
}

}  // namespace

api_response handle_api_request(std::string_view method, std::string_view target, storage::incident_store* store,
                                const core::metrics_registry& metrics,
                                const std::function<std::string()>& rules_status) {
  auto qmark = target.find('?');
  std::string_view path = target.substr(0, qmark);
  std::string_view query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
  const bool known = path == "/api/v1/incidents" || path.starts_with("/api/v1/incidents/") || path == "/metrics" ||
                     path == "/healthz" || path == "/api/v1/rules";
  if (!known) return json_error(404, "no such resource: " + std::string(path));
  if (method != "GET") return json_error(405, "only GET is allowed on " + std::string(path));
  if (path == "/healthz") return {200, "text/plain", "ok\n"};
  if (path == "/metrics") return {200, "text/plain; version=0.0.4", metrics.render()};
  if (path == "/api/v1/rules") {
    if (!rules_status) return json_error(404, "this process loads no rules (see talaia detect and correlate)");
    return {200, "application/json", rules_status()};
  }
  if (!store) return json_error(404, "this process keeps no incidents (talaia serve and talaia run do)");
  if (path == "/api/v1/incidents") {
    std::size_t limit = 100, offset = 0;
    if (!parse_count(query_param(query, "limit"), 1, 1000, limit))
      return json_error(400, "limit must be a whole number from 1 to 1000");
    if (!parse_count(query_param(query, "offset"), 0, SIZE_MAX, offset))
      return json_error(400, "offset must be a whole number");
    auto list = store->list(limit, offset);
    if (!list) return json_error(500, list.err().message);
    std::string body = "[";
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (i) body += ',';
      body += core::encode_incident((*list)[i]);
    }
    body += ']';
    return {200, "application/json", std::move(body)};
  }
  std::string id(path.substr(std::string_view("/api/v1/incidents/").size()));
  auto inc = store->get(id);
  if (!inc) return json_error(500, inc.err().message);
  if (!inc->has_value()) return json_error(404, "no incident " + id);
  return {200, "application/json", core::encode_incident(**inc)};
}

struct api_server::impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  storage::incident_store* store;
  const core::metrics_registry& metrics;
  std::function<std::string()> rules_status;
  impl(storage::incident_store* s, const core::metrics_registry& m) : store(s), metrics(m) {}

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) accept();
        return;
      }
      std::make_shared<session>(std::move(socket), *this)->read();
      accept();
    });
  }

  struct session : std::enable_shared_from_this<session> {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    impl& server;
    session(tcp::socket s, impl& srv) : stream(std::move(s)), server(srv) {}

    void read() {
      req = {};
      stream.expires_after(std::chrono::seconds(30));
      http::async_read(stream, buffer, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->close();
        self->respond();
      });
    }

    void respond() {
      auto r = handle_api_request(std::string_view(req.method_string().data(), req.method_string().size()),
                                  std::string_view(req.target().data(), req.target().size()), server.store,
                                  server.metrics, server.rules_status);
      res = {};
      res.version(req.version());
      res.result(static_cast<http::status>(r.status));
      res.set(http::field::server, "talaia");
      res.set(http::field::content_type, r.content_type);
      res.keep_alive(req.keep_alive());
      res.body() = std::move(r.body);
      res.prepare_payload();
      http::async_write(stream, res, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec || !self->res.keep_alive()) return self->close();
        self->read();
      });
    }

    void close() {
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  };
};

api_server::api_server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

api_server::~api_server() { stop(); }

core::result<std::unique_ptr<api_server>> api_server::bind(const core::endpoint& at, storage::incident_store* store,
                                                           const core::metrics_registry& metrics) {
  auto i = std::make_unique<impl>(store, metrics);
  beast::error_code ec;
  auto address = asio::ip::make_address(at.host, ec);
  if (ec) return core::make_error("api listen address " + at.text() + ": " + ec.message());
  tcp::endpoint ep(address, at.port);
  i->acceptor.open(ep.protocol(), ec);
  if (!ec) i->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i->acceptor.bind(ep, ec);
  if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::make_error("cannot listen for the API on " + at.text() + ": " + ec.message());
  return std::unique_ptr<api_server>(new api_server(std::move(i)));
}

std::uint16_t api_server::port() const { return impl_->acceptor.local_endpoint().port(); }

void api_server::set_rules_status(std::function<std::string()> status) { impl_->rules_status = std::move(status); }

void api_server::start() {
  impl_->accept();
  thread_ = std::thread([this] { impl_->io.run(); });
}

void api_server::stop() {
  if (!impl_) return;
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->io.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace talaia::alerts
