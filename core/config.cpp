#include "core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace talaia::core {

result<endpoint> parse_endpoint(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return make_error("'" + std::string(text) + "' is not HOST:PORT");
  std::string_view host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto port_text = text.substr(colon + 1);
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535)
    return make_error("'" + std::string(text) + "' has no valid port");
  return endpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return make_error("'" + std::string(text) + "' is not a duration like 30s, 15m, 1h");
  std::string_view unit(p, text.data() + text.size() - p);
  std::int64_t ms;
  if (unit == "ms") ms = n;
  else if (unit == "s") ms = n * 1000;
  else if (unit == "m") ms = n * 60'000;
  else if (unit == "h") ms = n * 3'600'000;
  else if (unit == "d") ms = n * 86'400'000;
  else return make_error("'" + std::string(text) + "' is not a duration like 30s, 15m, 1h");
  return std::chrono::milliseconds(ms);
}

const std::vector<std::string>& config_keys(std::string_view section) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> keys = {
      {"", {"node_id", "data_dir", "rules", "syslog", "netflow", "api", "webhooks", "correlate", "queues", "kafka", "log_level", "sigma"}},
      {"syslog", {"listen", "max_message", "workers", "udp_receive_buffer", "max_connections", "idle_timeout", "read_budget",
                  "rate_limit", "rate_burst", "allowed_networks", "year", "sources", "tls"}},
      {"syslog.tls", {"listen", "certificate", "private_key", "client_ca"}},
      {"syslog.sources", {"network", "time_zone", "key_value"}},
      {"netflow", {"listen", "workers", "udp_receive_buffer", "max_exporters", "max_templates_per_exporter", "max_held_sets",
                   "max_held_bytes", "template_lifetime", "held_lifetime"}},
  };
  static const std::vector<std::string> none;
  auto it = keys.find(section);
  return it == keys.end() ? none : it->second;
}

namespace {

std::set<std::string> key_set(std::string_view section) {
  const auto& k = config_keys(section);
  return {k.begin(), k.end()};
}

class reader {
 public:
  explicit reader(const std::string& path) : path_(path) {}

  void fail(const YAML::Node& at, const std::string& reason) {
    errors_ << path_ << ":" << (at.Mark().line + 1) << ": " << reason << "\n";
  }
  bool failed() const { return !errors_.str().empty(); }
  std::string errors() const { return errors_.str(); }

  // Calls on_key for each key of a mapping; unknown keys are errors.
  void mapping(const YAML::Node& node, const std::string& where, const std::set<std::string>& known,
               const std::function<void(const std::string&, const YAML::Node&)>& on_key) {
    if (!node.IsMap()) {
      fail(node, where + " must be a mapping");
      return;
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (!known.count(key)) {
        fail(kv.first, "unknown key '" + key + "' in " + where);
        continue;
      }
      on_key(key, kv.second);
    }
  }

  std::string scalar(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      fail(n, what + " must be a single value");
      return {};
    }
    return n.Scalar();
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) out.push_back(n.Scalar());
    else if (n.IsSequence())
      for (const auto& item : n) out.push_back(scalar(item, what));
    else if (!n.IsNull()) fail(n, what + " must be a value or a list");
    return out;
  }

  template <typename T>
  T number(const YAML::Node& n, const std::string& what, T min, T max) {
    std::string s = scalar(n, what);
    long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < static_cast<long long>(min) || v > static_cast<long long>(max)) {
      fail(n, what + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      return min;
    }
    return static_cast<T>(v);
  }

  std::vector<endpoint> endpoints(const YAML::Node& n, const std::string& what) {
    std::vector<endpoint> out;
    for (const auto& s : strings(n, what)) {
      auto e = parse_endpoint(s);
      if (e) out.push_back(*e);
      else fail(n, what + ": " + e.err().message);
    }
    return out;
  }

  std::chrono::milliseconds duration(const YAML::Node& n, const std::string& what) {
    auto d = parse_duration(scalar(n, what));
    if (d) return *d;
    fail(n, what + ": " + d.err().message);
    return {};
  }

 private:
  std::string path_;
  std::ostringstream errors_;
};

}  // namespace

result<config> parse_config(std::string_view yaml, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  config c;
  c.source = path;
  if (root.IsNull()) return c;
  reader r(path);
  r.mapping(root, "the config", key_set(""),
            [&](const std::string& key, const YAML::Node& v) {
    if (key == "node_id") c.node_id = r.scalar(v, "node_id");
    else if (key == "data_dir") c.data_dir = r.scalar(v, "data_dir");
    else if (key == "rules") c.rules = r.strings(v, "rules");
    else if (key == "syslog") {
      r.mapping(v, "syslog", key_set("syslog"), [&](const std::string& k, const YAML::Node& x) {
        auto& o = c.syslog_options;
        if (k == "listen") c.syslog_listen = r.endpoints(x, "syslog.listen");
        else if (k == "max_message") c.syslog_max_message = r.number<std::size_t>(x, "syslog.max_message", 256, 16 << 20);
        else if (k == "workers") o.workers = r.number<std::size_t>(x, "syslog.workers", 1, 256);
        else if (k == "udp_receive_buffer") o.udp_receive_buffer = r.number<std::size_t>(x, "syslog.udp_receive_buffer", 4096, 1 << 30);
        else if (k == "max_connections") o.max_connections = r.number<std::size_t>(x, "syslog.max_connections", 1, 1'000'000);
        else if (k == "idle_timeout") o.idle_timeout = r.duration(x, "syslog.idle_timeout");
        else if (k == "read_budget") o.read_budget = r.number<std::size_t>(x, "syslog.read_budget", 512, 16 << 20);
        else if (k == "rate_limit") o.rate_limit = static_cast<double>(r.number<std::size_t>(x, "syslog.rate_limit", 0, 100'000'000));
        else if (k == "rate_burst") o.rate_burst = r.number<std::size_t>(x, "syslog.rate_burst", 0, 100'000'000);
        else if (k == "allowed_networks") o.allowed_networks = r.strings(x, "syslog.allowed_networks");
        else if (k == "year") {
          o.year = r.number<int>(x, "syslog.year", 0, 9999);
          if (o.year != 0 && o.year < 1970) r.fail(x, "syslog.year must be 0 (inferred) or a year from 1970 to 9999");
        }
        else if (k == "tls")
          r.mapping(x, "syslog.tls", key_set("syslog.tls"), [&](const std::string& t, const YAML::Node& y) {
            if (t == "listen") o.tls_listen = r.endpoints(y, "syslog.tls.listen");
            else if (t == "certificate") o.tls_certificate = r.scalar(y, "syslog.tls.certificate");
            else if (t == "private_key") o.tls_private_key = r.scalar(y, "syslog.tls.private_key");
            else o.tls_client_ca = r.scalar(y, "syslog.tls.client_ca");
          });
        else if (!x.IsSequence()) r.fail(x, "syslog.sources must be a list");
        else
          for (const auto& item : x) {
            syslog_source_config src;
            src.line = item.Mark().line + 1;
            r.mapping(item, "a syslog source", key_set("syslog.sources"), [&](const std::string& t, const YAML::Node& y) {
              if (t == "network") src.network = r.scalar(y, "syslog.sources[].network");
              else if (t == "time_zone") src.time_zone = r.scalar(y, "syslog.sources[].time_zone");
              else src.key_value = r.scalar(y, "syslog.sources[].key_value") == "true";
            });
            if (src.network.empty()) r.fail(item, "a syslog source needs a network");
            o.sources.push_back(std::move(src));
          }
      });
      const auto& o = c.syslog_options;
      if (!o.tls_listen.empty() && (o.tls_certificate.empty() || o.tls_private_key.empty()))
        r.fail(v, "syslog.tls.listen needs syslog.tls.certificate and syslog.tls.private_key");
    }
    else if (key == "netflow")
      r.mapping(v, "netflow", key_set("netflow"), [&](const std::string& k, const YAML::Node& x) {
        auto& o = c.netflow_options;
        if (k == "listen") c.netflow_listen = r.endpoints(x, "netflow.listen");
        else if (k == "workers") o.workers = r.number<std::size_t>(x, "netflow.workers", 1, 256);
        else if (k == "udp_receive_buffer") o.udp_receive_buffer = r.number<std::size_t>(x, "netflow.udp_receive_buffer", 4096, 1 << 30);
        else if (k == "max_exporters") o.max_exporters = r.number<std::size_t>(x, "netflow.max_exporters", 1, 10'000'000);
        else if (k == "max_templates_per_exporter")
          o.max_templates_per_exporter = r.number<std::size_t>(x, "netflow.max_templates_per_exporter", 1, 65536);
        else if (k == "max_held_sets") o.max_held_sets = r.number<std::size_t>(x, "netflow.max_held_sets", 0, 10'000'000);
        else if (k == "max_held_bytes") o.max_held_bytes = r.number<std::size_t>(x, "netflow.max_held_bytes", 0, 1 << 30);
        else if (k == "template_lifetime") o.template_lifetime = r.duration(x, "netflow.template_lifetime");
        else o.held_lifetime = r.duration(x, "netflow.held_lifetime");
      });
    else if (key == "api")
      r.mapping(v, "api", {"listen"}, [&](const std::string&, const YAML::Node& x) {
        auto e = r.endpoints(x, "api.listen");
        if (e.size() == 1) c.api_listen = e[0];
        else r.fail(x, "api.listen must be one HOST:PORT");
      });
    else if (key == "webhooks") {
      if (!v.IsSequence() && !v.IsNull()) r.fail(v, "webhooks must be a list");
      else
        for (const auto& w : v)
          r.mapping(w, "a webhook", {"url"}, [&](const std::string&, const YAML::Node& x) {
            std::string url = r.scalar(x, "webhooks[].url");
            if (url.rfind("http://", 0) != 0) r.fail(x, "webhook url must start with http://");
            c.webhooks.push_back({url});
          });
    } else if (key == "correlate")
      r.mapping(v, "correlate", {"quiet_period", "max_evidence", "group_by", "allowed_lateness", "max_groups_per_rule", "max_clock_skew"}, [&](const std::string& k, const YAML::Node& x) {
        if (k == "max_clock_skew") c.max_clock_skew = r.duration(x, "correlate.max_clock_skew");
        else if (k == "quiet_period") c.quiet_period = r.duration(x, "correlate.quiet_period");
        else if (k == "allowed_lateness") c.allowed_lateness = r.duration(x, "correlate.allowed_lateness");
        else if (k == "max_groups_per_rule") c.max_groups_per_rule = r.number<std::size_t>(x, "correlate.max_groups_per_rule", 1, 100'000'000);
        else if (k == "max_evidence") c.max_evidence = r.number<std::size_t>(x, "correlate.max_evidence", 0, 10000);
        else if (!x.IsMap()) r.fail(x, "correlate.group_by must map rule ids to field lists");
        else
          for (const auto& kv : x) c.group_by[kv.first.as<std::string>()] = r.strings(kv.second, "correlate.group_by");
      });
    else if (key == "queues")
      r.mapping(v, "queues", {"capacity"}, [&](const std::string&, const YAML::Node& x) {
        c.queue_capacity = r.number<std::size_t>(x, "queues.capacity", 1, 10'000'000);
      });
    else if (key == "kafka")
      r.mapping(v, "kafka", {"brokers", "topics", "partitions", "group_prefix", "librdkafka"}, [&](const std::string& k, const YAML::Node& x) {
        if (k == "brokers") c.kafka.brokers = r.scalar(x, "kafka.brokers");
        else if (k == "partitions") c.kafka.partitions = r.number<int>(x, "kafka.partitions", 1, 10000);
        else if (k == "group_prefix") c.kafka.group_prefix = r.scalar(x, "kafka.group_prefix");
        else if (k == "topics")
          r.mapping(x, "kafka.topics", {"events", "detections", "incidents", "dead_letter", "changelog"}, [&](const std::string& t, const YAML::Node& y) {
            std::string name = r.scalar(y, "kafka.topics." + t);
            if (t == "events") c.kafka.events_topic = name;
            else if (t == "detections") c.kafka.detections_topic = name;
            else if (t == "incidents") c.kafka.incidents_topic = name;
            else if (t == "changelog") c.kafka.changelog_topic = name;
            else c.kafka.dead_letter_topic = name;
          });
        else if (!x.IsMap()) r.fail(x, "kafka.librdkafka must be a mapping of client properties");
        else
          for (const auto& kv : x) c.kafka.librdkafka[kv.first.as<std::string>()] = r.scalar(kv.second, "kafka.librdkafka");
      });
    else if (key == "sigma")
      r.mapping(v, "sigma", {"placeholders", "field_mappings", "logsources"}, [&](const std::string& k, const YAML::Node& x) {
        auto string_map = [&](const YAML::Node& m, const std::string& what, std::map<std::string, std::string>& out) {
          if (!m.IsMap()) return r.fail(m, what + " must map field names to field names or values");
          for (const auto& kv : m) out[kv.first.as<std::string>()] = r.scalar(kv.second, what);
        };
        if (k == "placeholders") {
          if (!x.IsMap()) r.fail(x, "sigma.placeholders must map names to lists of values");
          else
            for (const auto& kv : x) c.sigma.placeholders[kv.first.as<std::string>()] = r.strings(kv.second, "sigma.placeholders");
        } else if (k == "field_mappings") {
          string_map(x, "sigma.field_mappings", c.sigma.field_mappings);
        } else if (!x.IsSequence()) {
          r.fail(x, "sigma.logsources must be a list of routes");
        } else {
          for (const auto& route : x) {
            sigma_logsource_route lr;
            lr.line = route.Mark().line + 1;
            r.mapping(route, "a sigma.logsources route", {"product", "category", "service", "conditions", "field_mappings"},
                      [&](const std::string& rk, const YAML::Node& y) {
              if (rk == "product") lr.product = r.scalar(y, "sigma.logsources[].product");
              else if (rk == "category") lr.category = r.scalar(y, "sigma.logsources[].category");
              else if (rk == "service") lr.service = r.scalar(y, "sigma.logsources[].service");
              else if (rk == "conditions") string_map(y, "sigma.logsources[].conditions", lr.conditions);
              else string_map(y, "sigma.logsources[].field_mappings", lr.field_mappings);
            });
            c.sigma.logsources.push_back(std::move(lr));
          }
        }
      });
    else if (key == "log_level") {
      std::string l = r.scalar(v, "log_level");
      if (l != "debug" && l != "info" && l != "warn" && l != "error") r.fail(v, "log_level must be debug, info, warn or error");
      else c.log_level = l;
    }
  });
  if (r.failed()) return make_error(r.errors());
  return c;
}

result<config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace talaia::core
