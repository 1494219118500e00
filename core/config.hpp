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
  std::string changelog_topic = "talaia.correlate-changelog";  // compacted: correlate state
  int partitions = 4;  // when Talaia creates a topic
  std::string group_prefix = "talaia";
  std::map<std::string, std::string> librdkafka;  // extra client properties, passed through
};

struct webhook_config {
  std::string url;
};

// How Sigma rules meet Talaia's events (`sigma:` in the config; see rules/README.md).
struct sigma_logsource_route {
  std::string product, category, service;               // empty: any
  std::map<std::string, std::string> conditions;        // field -> value, ANDed to the rule
  std::map<std::string, std::string> field_mappings;    // rule field -> event field, for these rules
  int line = 0;
};

struct sigma_config {
  std::map<std::string, std::vector<std::string>, std::less<>> placeholders;  // `expand`: %name%
  std::map<std::string, std::string> field_mappings;    // rule field -> event field, every rule
  std::vector<sigma_logsource_route> logsources;        // first route whose keys all match wins
};

// Syslog per-source settings (`syslog.sources`): the first entry whose network holds the
// sender's address applies.
struct syslog_source_config {
  std::string network;    // "10.0.0.0/8", "192.0.2.7", "::/0"
  std::string time_zone;  // IANA name or +hh:mm for zone-less timestamps; empty: UTC
  bool key_value = false; // split key=value bodies of no known format into kv.<key>
  int line = 0;
};

// Syslog listener settings beyond `listen` and `max_message` (see deploy/talaia.yaml).
struct syslog_options_config {
  std::size_t udp_receive_buffer = 8 << 20;   // SO_RCVBUF asked for (the kernel caps it at rmem_max)
  std::size_t max_connections = 1024;         // TCP/TLS connections at once; more are refused
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};  // TCP/TLS, 0: never
  std::size_t read_budget = 65536;            // bytes read per connection per turn
  double rate_limit = 0;                      // messages per second per sender address; 0: none
  std::size_t rate_burst = 0;                 // bucket size; 0: one second's worth
  std::vector<std::string> allowed_networks;  // senders allowed; empty: any
  int year = 0;                               // year for year-less timestamps; 0: inferred
  std::size_t workers = 1;                    // UDP sockets (SO_REUSEPORT) each with its own thread
  std::vector<syslog_source_config> sources;
  std::vector<endpoint> tls_listen;           // RFC 5425 listeners
  std::string tls_certificate, tls_private_key, tls_client_ca;  // PEM files; client CA: mTLS
};

// NetFlow/IPFIX/sFlow listener and decoder settings beyond `listen` (see deploy/talaia.yaml).
struct netflow_options_config {
  std::size_t workers = 1;                        // UDP sockets (SO_REUSEPORT) each with its own thread
  std::size_t udp_receive_buffer = 8 << 20;       // SO_RCVBUF asked for (the kernel caps it at rmem_max)
  std::size_t max_exporters = 4096;               // (address, port, version, domain) states per worker
  std::size_t max_templates_per_exporter = 1024;  // templates per (address, port, version, domain)
  std::size_t max_held_sets = 1024;               // data sets held until their template arrives
  std::size_t max_held_bytes = 8u << 20;          // bytes of such held data sets
  std::chrono::milliseconds template_lifetime{std::chrono::hours(1)};  // unused that long: forgotten; 0: never
  std::chrono::milliseconds held_lifetime{std::chrono::minutes(1)};    // held data older than this is dropped
};

struct config {
  std::string source;  // file the config came from, or "built-in defaults"
  std::string node_id = "talaia";  // collector id: first part of every event id
  std::string data_dir = "talaia-data";
  std::vector<std::string> rules{"/etc/talaia/rules"};
  std::vector<endpoint> syslog_listen{{"127.0.0.1", 5514}};
  std::size_t syslog_max_message = 65536;
  syslog_options_config syslog_options;
  std::vector<endpoint> netflow_listen;
  netflow_options_config netflow_options;
  endpoint api_listen{"127.0.0.1", 8080};
  std::vector<webhook_config> webhooks;
  std::chrono::milliseconds quiet_period{std::chrono::hours(1)};
  std::size_t max_evidence = 10;
  std::map<std::string, std::vector<std::string>> group_by;  // rule id -> group-by fields
  std::chrono::milliseconds allowed_lateness{std::chrono::minutes(5)};  // correlation windows
  std::size_t max_groups_per_rule = 100000;                             // correlation state bound
  std::chrono::milliseconds max_clock_skew{std::chrono::hours(24)};     // event time vs receive time
  std::size_t queue_capacity = 65536;
  std::string log_level = "info";
  kafka_config kafka;
  sigma_config sigma;
};

// The keys each section accepts ("syslog", "syslog.tls", "netflow", ...; empty: the top level),
// so that tests can check deploy/talaia.yaml documents every one.
const std::vector<std::string>& config_keys(std::string_view section);

// Reads and validates a config file; the error lists every problem, one `path:line: reason` a line.
result<config> load_config(const std::string& path);
// The same from text (`path` is only used in messages).
result<config> parse_config(std::string_view yaml, const std::string& path);

}  // namespace talaia::core
