#pragma once
// The analyst HTTP API (Boost.Beast), on its own thread:
//   GET /api/v1/incidents[?limit=N&offset=M]   JSON array, newest activity (last_seen) first;
//                                              limit 1..1000 (default 100)
//   GET /api/v1/incidents/ID                   one incident, or 404
//   GET /metrics                               Prometheus text
//   GET /healthz                               "ok"
//   GET /api/v1/rules                          the running rules and the last reload's outcome
//                                              (processes that load rules: run)
// Errors are JSON objects {"error": "..."} with 400, 404, 405 or 500.
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "storage/incident_store.hpp"

namespace talaia::alerts {

struct api_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Pure routing, testable without sockets.
// `rules_status` (may be empty) gives the JSON of GET /api/v1/rules. Without a store (the Kafka
// stages collect, detect and correlate serve only /metrics, /healthz and /api/v1/rules) the
// incident resources answer 404.
api_response handle_api_request(std::string_view method, std::string_view target, storage::incident_store* store,
                                const core::metrics_registry& metrics,
                                const std::function<std::string()>& rules_status = {});

class api_server {
 public:
  // Binds now (so start-up fails with the address when it cannot); serves after start().
  static core::result<std::unique_ptr<api_server>> bind(const core::endpoint& at, storage::incident_store* store,
                                                        const core::metrics_registry& metrics);
  ~api_server();
  // Before start(): where GET /api/v1/rules gets its answer.
  void set_rules_status(std::function<std::string()> status);
  void start();
  void stop();
  std::uint16_t port() const;

 private:
  struct impl;
  explicit api_server(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
  std::thread thread_;
};

}  // namespace talaia::alerts
