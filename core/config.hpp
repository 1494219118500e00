#pragma once
// Talaia's configuration: one YAML file (deploy/talaia.yaml is the documented example), built-in
// defaults when none is given, command-line flags applied on top by app/. Every problem in the
// file is collected and reported at once as `path:line: reason` before anything starts.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace talaia::core {

struct endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
};

// "HOST:PORT" or "[v6]:PORT".
result<endpoint> parse_endpoint(std::string_view text);
// "500ms", "30s", "15m", "1h", "2d".
result<std::chrono::milliseconds> parse_duration(std::string_view text);

struct kafka_config {
  std::string brokers;  // empty: not configured
  std::string events_topic = "talaia.events";
  std::string detections_topic = "talaia.detections";
  std::string incidents_topic = "talaia.incidents";
  std::string dead_letter_topic = "talaia.dead-letter";
  int partitions = 4;  // when Talaia creates a topic
  std::string group_prefix = "talaia";
  std::map<std::string, std::string> librdkafka;  // extra client properties, passed through
};

struct webhook_config {
  std::string url;
};

struct config {
  std::string source;  // file the config came from, or "built-in defaults"
  std::string node_id = "talaia";  // collector id: first part of every event id
  std::string data_dir = "talaia-data";
  std::vector<std::string> rules{"/etc/talaia/rules"};
  std::vector<endpoint> syslog_listen{{"127.0.0.1", 5514}};
  std::size_t syslog_max_message = 65536;
  std::vector<endpoint> netflow_listen;
  endpoint api_listen{"127.0.0.1", 8080};
  std::vector<webhook_config> webhooks;
  std::chrono::milliseconds quiet_period{std::chrono::hours(1)};
  std::size_t max_evidence = 10;
  std::map<std::string, std::vector<std::string>> group_by;  // rule id -> group-by fields
  std::size_t queue_capacity = 65536;
  std::string log_level = "info";
  kafka_config kafka;
};

// Reads and validates a config file; the error lists every problem, one `path:line: reason` a line.
result<config> load_config(const std::string& path);
// The same from text (`path` is only used in messages).
result<config> parse_config(std::string_view yaml, const std::string& path);

}  // namespace talaia::core
