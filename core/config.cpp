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

namespace {

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
  r.mapping(root, "the config", {"node_id", "data_dir", "rules", "syslog", "netflow", "api", "webhooks", "correlate", "queues", "kafka", "log_level"},
            [&](const std::string& key, const YAML::Node& v) {
    if (key == "node_id") c.node_id = r.scalar(v, "node_id");
    else if (key == "data_dir") c.data_dir = r.scalar(v, "data_dir");
    else if (key == "rules") c.rules = r.strings(v, "rules");
    else if (key == "syslog")
      r.mapping(v, "syslog", {"listen", "max_message"}, [&](const std::string& k, const YAML::Node& x) {
        if (k == "listen") c.syslog_listen = r.endpoints(x, "syslog.listen");
        else c.syslog_max_message = r.number<std::size_t>(x, "syslog.max_message", 256, 16 << 20);
      });
    else if (key == "netflow")
      r.mapping(v, "netflow", {"listen"}, [&](const std::string&, const YAML::Node& x) {
        c.netflow_listen = r.endpoints(x, "netflow.listen");
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
      r.mapping(v, "correlate", {"quiet_period", "max_evidence", "group_by"}, [&](const std::string& k, const YAML::Node& x) {
        if (k == "quiet_period") c.quiet_period = r.duration(x, "correlate.quiet_period");
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
          r.mapping(x, "kafka.topics", {"events", "detections", "incidents", "dead_letter"}, [&](const std::string& t, const YAML::Node& y) {
            std::string name = r.scalar(y, "kafka.topics." + t);
            if (t == "events") c.kafka.events_topic = name;
            else if (t == "detections") c.kafka.detections_topic = name;
            else if (t == "incidents") c.kafka.incidents_topic = name;
            else c.kafka.dead_letter_topic = name;
          });
        else if (!x.IsMap()) r.fail(x, "kafka.librdkafka must be a mapping of client properties");
        else
          for (const auto& kv : x) c.kafka.librdkafka[kv.first.as<std::string>()] = r.scalar(kv.second, "kafka.librdkafka");
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
