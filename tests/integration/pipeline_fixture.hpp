#pragma once
// Shared by the integration tests: a config written for the test, talaia started as a real
// process, logger as the real sender, the API read over HTTP.
#include <boost/json.hpp>

#include <string>

#include "alerts/http_client.hpp"
#include "tests/support/process.hpp"

namespace talaia::testing {

inline std::string test_rules_dir() { return source_dir() + "/tests/data/pipeline/rules"; }

// GET /api/v1/incidents as parsed JSON; an empty array when the API does not answer (yet).
inline boost::json::array get_incidents(std::uint16_t api_port) {
  auto r = alerts::http_get("http://127.0.0.1:" + std::to_string(api_port) + "/api/v1/incidents",
                            std::chrono::seconds(5));
  if (!r || r->status != 200) return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(r->body, ec);
  if (ec || !v.is_array()) return {};
  return v.get_array();
}

inline const boost::json::object* find_incident(const boost::json::array& incidents, std::string_view rule_id) {
  for (const auto& i : incidents)
    if (i.is_object() && i.as_object().at("rule_id").as_string() == rule_id) return &i.as_object();
  return nullptr;
}

// Sends one message with util-linux logger: udp, or tcp with LF framing.
inline run_result send_with_logger(std::uint16_t port, bool tcp, const std::string& tag, const std::string& text) {
  return run_command({"logger", "-n", "127.0.0.1", "-P", std::to_string(port), tcp ? "-T" : "-d",
                      "--rfc3164", "-t", tag, text},
                     std::chrono::seconds(10));
}

// HOST:PORT of the broker ctest's kafka fixture started (TALAIA_KAFKA_DIR), empty without one.
inline std::string kafka_test_broker() {
  const char* dir = std::getenv("TALAIA_KAFKA_DIR");
  if (!dir) return {};
  std::string b = read_file(std::filesystem::path(dir) / "bootstrap");
  while (!b.empty() && (b.back() == '\n' || b.back() == ' ')) b.pop_back();
  return b;
}

inline constexpr std::string_view marker_rule = "0b7f5e2a-7c1d-4a8e-9f3b-2d6c8e1a4b01";
inline constexpr std::string_view ssh_rule = "3c1a9d7e-5b2f-4e6a-8d0c-7f9e1b3a5c02";

}  // namespace talaia::testing
