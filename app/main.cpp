// talaia: one binary, one subcommand per job. Flags override the config file; without
// --config the built-in defaults apply (see deploy/talaia.yaml for the documented example).
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.hpp"
#include "core/log.hpp"

namespace {

using talaia::core::config;

struct overrides {
  std::string config_path, data_dir, syslog, netflow, api, brokers;
  std::vector<std::string> rules, webhooks;
};

void add_common(CLI::App* cmd, overrides& o) {
  cmd->add_option("--config", o.config_path, "YAML config file (default: built-in defaults)");
}

void add_store(CLI::App* cmd, overrides& o) { cmd->add_option("--data-dir", o.data_dir, "RocksDB data directory"); }
void add_rules(CLI::App* cmd, overrides& o) { cmd->add_option("--rules", o.rules, "Sigma rule folder or file (repeatable)"); }
void add_collect(CLI::App* cmd, overrides& o) {
  cmd->add_option("--syslog", o.syslog, "syslog listener HOST:PORT (UDP and TCP)");
  cmd->add_option("--netflow", o.netflow, "NetFlow listener HOST:PORT (UDP)");
}
void add_serve(CLI::App* cmd, overrides& o) {
  cmd->add_option("--api", o.api, "analyst API HOST:PORT");
  cmd->add_option("--webhook", o.webhooks, "webhook URL for new incidents (repeatable)");
}
// --year and --port of decode and replay.
struct offline_flags {
  int year = 0;
  std::vector<std::string> ports;
};
void add_offline(CLI::App* cmd, offline_flags& f) {
  cmd->add_option("--year", f.year, "year of RFC 3164 timestamps without one (old captures); default: inferred")
      ->check(CLI::Range(1970, 9999));
  cmd->add_option("--port", f.ports,
                  "PORT=PROTOCOL: UDP datagrams of a capture sent to PORT are syslog, netflow (v5, v9), ipfix, sflow, or none "
                  "(skipped), whatever their content looks like (repeatable)");
}
talaia::app::offline_options offline_of(const offline_flags& f, const config* cfg) {
  talaia::app::offline_options o;
  if (cfg != nullptr) {
    o.year = cfg->syslog_options.year;
    o.netflow = cfg->netflow_options;
  }
  if (f.year != 0) o.year = f.year;
  for (const auto& spec : f.ports)
    if (auto r = talaia::app::pin_port(o, spec); !r) {
      std::cerr << "talaia: " << r.err().message << "\n";
      std::exit(2);
    }
  return o;
}

void add_kafka(CLI::App* cmd, overrides& o) { cmd->add_option("--brokers", o.brokers, "Kafka bootstrap HOST:PORT[,...]"); }

// The config file (or built-in defaults) with the flags applied; prints problems and exits 2.
config resolve(const overrides& o) {
  config cfg;
  cfg.source = "built-in defaults";
  if (!o.config_path.empty()) {
    auto loaded = talaia::core::load_config(o.config_path);
    if (!loaded) {
      std::cerr << loaded.err().message;
      if (loaded.err().message.back() != '\n') std::cerr << '\n';
      std::exit(2);
    }
    cfg = std::move(*loaded);
  }
  auto endpoint = [](const std::string& flag, const std::string& text) {
    auto e = talaia::core::parse_endpoint(text);
    if (!e) {
      std::cerr << "talaia: " << flag << ": " << e.err().message << "\n";
      std::exit(2);
    }
    return *e;
  };
  if (!o.data_dir.empty()) cfg.data_dir = o.data_dir;
  if (!o.rules.empty()) cfg.rules = o.rules;
  if (!o.syslog.empty()) cfg.syslog_listen = {endpoint("--syslog", o.syslog)};
  if (!o.netflow.empty()) cfg.netflow_listen = {endpoint("--netflow", o.netflow)};
  if (!o.api.empty()) cfg.api_listen = endpoint("--api", o.api);
  for (const auto& w : o.webhooks) {
    if (w.rfind("http://", 0) != 0) {
      std::cerr << "talaia: --webhook " << w << ": only http:// URLs are supported\n";
      std::exit(2);
    }
    cfg.webhooks.push_back({w});
  }
  if (!o.brokers.empty()) cfg.kafka.brokers = o.brokers;
  using talaia::core::log_level;
  cfg.log_level == "debug" ? talaia::core::set_log_level(log_level::debug)
  : cfg.log_level == "warn" ? talaia::core::set_log_level(log_level::warn)
  : cfg.log_level == "error" ? talaia::core::set_log_level(log_level::error)
                             : talaia::core::set_log_level(log_level::info);
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Talaia: syslog and NetFlow to Sigma detections, incidents and webhooks"};
  app.require_subcommand(1);
  overrides o;
  std::vector<std::string> files, paths;
  offline_flags offline;

  auto* run = app.add_subcommand("run", "every stage in one process, no Kafka (the embedded default)");
  add_common(run, o), add_store(run, o), add_rules(run, o), add_collect(run, o), add_serve(run, o);

  auto* collect = app.add_subcommand("collect", "syslog and NetFlow listeners into Kafka");
  add_common(collect, o), add_collect(collect, o), add_kafka(collect, o);
  auto* detect = app.add_subcommand("detect", "events from Kafka through the rules into detections");
  add_common(detect, o), add_rules(detect, o), add_kafka(detect, o);
  auto* correlate = app.add_subcommand("correlate", "detections from Kafka into incidents");
  add_common(correlate, o), add_store(correlate, o), add_rules(correlate, o), add_kafka(correlate, o);
  auto* serve = app.add_subcommand("serve", "incidents from Kafka into the store, webhooks and the API");
  add_common(serve, o), add_store(serve, o), add_serve(serve, o), add_kafka(serve, o);

  auto* replay = app.add_subcommand("replay", "log files (one syslog message a line) through detect and correlate; prints incidents");
  add_common(replay, o), add_rules(replay, o), add_offline(replay, offline);
  replay->add_option("files", files, "log files")->required();

  auto* decode = app.add_subcommand("decode", "print each syslog line of the files as one JSON event");
  add_offline(decode, offline);
  decode->add_option("files", files, "log files")->required();

  auto* rules = app.add_subcommand("rules", "work with Sigma rule files");
  rules->require_subcommand(1);
  auto* check = rules->add_subcommand("check", "load and compile rules; print path:line: reason for each problem");
  add_common(check, o);  // --config: sigma placeholders, field mappings and logsource routes
  check->add_option("paths", paths, "rule files or folders")->required();
  auto* test = rules->add_subcommand("test", "run the test cases kept beside the rules (*.tests.yml)");
  add_common(test, o);
  test->add_option("paths", paths, "rule folders or files")->required();
  std::string events_file;
  auto* match = rules->add_subcommand("match", "JSON events (one a line) through the rules: LINE<TAB>RULE_ID per match");
  add_common(match, o);
  match->add_option("--events", events_file, "file of JSON events, one a line")->required();
  match->add_option("paths", paths, "rule folders or files")->required();
  auto* list = rules->add_subcommand("list", "id, title, level, log source and fields of each rule");
  add_common(list, o);
  list->add_option("paths", paths, "rule folders or files")->required();

  CLI11_PARSE(app, argc, argv);

  using namespace talaia::app;
  if (*run) return run_embedded(resolve(o));
  if (*collect) return run_collect(resolve(o));
  if (*detect) return run_detect(resolve(o));
  if (*correlate) return run_correlate(resolve(o));
  if (*serve) return run_serve(resolve(o));
  if (*replay) {
    const config cfg = resolve(o);
    return talaia::app::replay(cfg, files, offline_of(offline, &cfg));
  }
  if (*decode) return talaia::app::decode(files, offline_of(offline, nullptr));
  if (*check) return rules_check(resolve(o), paths);
  if (*test) return rules_test(resolve(o), paths);
  if (*list) return rules_list(resolve(o), paths);
  if (*match) return rules_match(resolve(o), paths, events_file);
  return 2;
}
