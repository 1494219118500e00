// The one wiring place: which stages run in which process, joined by which bus.
#include <signal.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <iostream>
#include <thread>

#include "alerts/api_server.hpp"
#include "alerts/incident_sink.hpp"
#include "alerts/webhook_dispatcher.hpp"
#include "app/commands.hpp"
#include "app/rules_holder.hpp"
#include "app/startup.hpp"
#include "collectors/event_ids.hpp"
#include "collectors/netflow/listener.hpp"
#include "collectors/syslog/listener.hpp"
#include "core/clock.hpp"
#include "core/kafka_bus.hpp"
#include "core/kafka_transactions.hpp"
#include "core/log.hpp"
#include "core/memory_bus.hpp"
#include "core/stage_loop.hpp"
#include "correlator/correlate.hpp"
#include "correlator/detect.hpp"
#include "correlator/transactional_correlate.hpp"
#include "storage/incident_store.hpp"

namespace talaia::app {

namespace asio = boost::asio;

namespace {

std::vector<std::string> webhook_urls(const core::config& cfg) {
  std::vector<std::string> urls;
  for (const auto& w : cfg.webhooks) urls.push_back(w.url);
  return urls;
}

correlator::detect_metrics detect_metrics_of(core::metrics_registry& m) {
  return {&m.make_counter("talaia_detect_events_total", "", "Events scanned by the detect stage"),
          &m.make_counter("talaia_rule_matches_total", "", "Rule matches (detections)"),
          &m.make_counter("talaia_events_discarded_total", "reason=\"not_json\",stage=\"detect\"", "Messages discarded"),
          &m.make_counter("talaia_event_time_clamped_total", "", "Events whose time was beyond correlate.max_clock_skew of their receive time")};
}

correlator::correlate_metrics correlate_metrics_of(core::metrics_registry& m) {
  return {&m.make_counter("talaia_correlate_detections_total", "", "Detections correlated"),
          &m.make_counter("talaia_correlate_opened_total", "", "Incidents opened by the correlate stage"),
          &m.make_counter("talaia_correlate_updated_total", "", "Incident updates by the correlate stage"),
          &m.make_counter("talaia_errors_total", "stage=\"correlate\"", "Messages the stage could not use")};
}

// correlate_settings_of(cfg), its engines counting into `m`.
correlator::correlate_settings correlate_settings_with_metrics(const core::config& cfg, core::metrics_registry& m) {
  auto s = correlate_settings_of(cfg);
  const char* help = "Detections and firings of the correlation engine, by outcome";
  s.engine.metrics = {&m.make_counter("talaia_correlation_detections_total", "outcome=\"late\"", help),
                      &m.make_counter("talaia_correlation_detections_total", "outcome=\"missing_group_field\"", help),
                      &m.make_counter("talaia_correlation_groups_evicted_total", "", "Correlation groups evicted at max_groups_per_rule"),
                      &m.make_counter("talaia_correlation_firings_total", "", "Correlation rules that fired")};
  return s;
}

// Syslog and NetFlow listeners on one io_context, served by one thread; listeners with
// `workers` above 1 read UDP on threads of their own as well.
struct collectors_set {
  asio::io_context io{1};
  std::unique_ptr<collectors::event_ids> ids;
  std::vector<std::unique_ptr<collectors::syslog::listener>> syslog;
  std::vector<std::unique_ptr<collectors::netflow::listener>> netflow;
  std::thread thread;

  core::result<void> bind(const core::config& cfg, core::producer& out, core::metrics_registry& metrics) {
    ids = std::make_unique<collectors::event_ids>(cfg.node_id, core::now_micros());
    for (const auto& at : cfg.syslog_listen) {
      auto l = collectors::syslog::listener::bind(io, {at, cfg.syslog_max_message, cfg.kafka.events_topic, cfg.syslog_options}, out, *ids, metrics);
      if (!l) return l.err();
      syslog.push_back(std::move(*l));
    }
    for (const auto& at : cfg.syslog_options.tls_listen) {  // RFC 5425
      auto l = collectors::syslog::listener::bind(
          io, {at, cfg.syslog_max_message, cfg.kafka.events_topic, cfg.syslog_options, true}, out, *ids, metrics);
      if (!l) return l.err();
      syslog.push_back(std::move(*l));
    }
    for (const auto& at : cfg.netflow_listen) {
      auto l = collectors::netflow::listener::bind(io, {at, cfg.kafka.events_topic, cfg.data_dir + "/netflow", cfg.netflow_options},
                                                  out, *ids, metrics);
      if (!l) return l.err();
      netflow.push_back(std::move(*l));
    }
    return {};
  }
  void start() {
    for (auto& l : syslog) l->start();
    for (auto& l : netflow) l->start();
    thread = std::thread([this] { io.run(); });
  }
  void stop() {
    for (auto& l : syslog) l->stop();
    for (auto& l : netflow) l->stop();
    // Give connections a moment to hand over what they already read, then stop.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    io.stop();
    if (thread.joinable()) thread.join();
  }
};

// Rebuilds the detect stage's scanner from the reloaded rules; returns the generation it used.
std::uint64_t rebuild_detector(correlator::detect_stage& detect, const rules_holder& holder, const core::config& cfg) {
  const std::uint64_t generation = holder.generation();
  const auto rules = holder.current();
  auto d = correlator::detector::make(rules->detection, detect_settings_of(cfg), rules->correlations);
  if (d) detect.replace(std::move(*d));
  else core::log_error("detect", "error=\"" + d.err().message + "\" reloaded rules not applied");
  return generation;
}

std::function<void()> reload_on_hangup(rules_holder& holder) {
  return [&holder] { holder.reload("SIGHUP"); };
}

std::function<void()> reload_on_change(rules_holder& holder) {
  return [&holder] {
    if (holder.changed_on_disk()) holder.reload("file change");
  };
}

void report_stage_end(const char* stage, const core::result<void>& r) {
  if (!r) core::log_error(stage, "error=\"" + r.err().message + "\" stage stopped");
}

}  // namespace

int run_embedded(const core::config& cfg) {
  block_stop_signals();
  auto rules = load_rule_set(cfg.rules, cfg.sigma);
  if (!rules) return fail(rules.err());
  auto store = storage::incident_store::open(cfg.data_dir);
  if (!store) return fail(store.err());
  core::metrics_registry metrics;
  core::memory_bus bus(cfg.queue_capacity);
  const auto& topics = cfg.kafka;
  for (const auto* t : {&topics.events_topic, &topics.detections_topic, &topics.incidents_topic})
    metrics.make_gauge("talaia_queue_depth", "queue=\"" + *t + "\"", "Messages waiting in an in-process queue",
                       [&bus, t] { return static_cast<double>(bus.depth(*t)); });
  auto producer = bus.make_producer();

  collectors_set collectors;
  if (auto r = collectors.bind(cfg, *producer, metrics); !r) return fail(r.err());
  auto api = alerts::api_server::bind(cfg.api_listen, store->get(), metrics);
  if (!api) return fail(api.err());
  auto detector = correlator::detector::make(rules->detection, detect_settings_of(cfg), rules->correlations);
  if (!detector) return fail(detector.err());

  alerts::webhook_dispatcher dispatcher(**store, metrics);
  correlator::detect_stage detect(std::move(*detector), *producer, detect_settings_of(cfg), detect_metrics_of(metrics));
  correlator::correlate_stage correlate(correlate_settings_with_metrics(cfg, metrics), rules->correlations, *producer, store->get(),
                                       correlate_metrics_of(metrics));
  if (auto r = correlate.restore(); !r) return fail(r.err());
  alerts::incident_sink sink(**store, &dispatcher, webhook_urls(cfg), metrics);

  rules_holder holder(*rules, cfg.rules, cfg.sigma, metrics);
  const std::atomic<bool> never_stop{false};  // in-process stages stop when their input queue closes
  auto events_in = bus.make_consumer(topics.events_topic);
  auto detections_in = bus.make_consumer(topics.detections_topic);
  auto incidents_in = bus.make_consumer(topics.incidents_topic);
  std::thread detect_thread([&] {
    std::uint64_t seen = holder.generation();
    report_stage_end("detect", core::run_stage_loop(*events_in, producer.get(), [&](const core::message& m) {
      if (holder.generation() != seen) seen = rebuild_detector(detect, holder, cfg);
      return detect.handle(m);
    }, never_stop));
    bus.close(topics.detections_topic);
  });
  std::thread correlate_thread([&] {
    std::uint64_t seen = holder.generation();
    report_stage_end("correlate", core::run_stage_loop(*detections_in, producer.get(), [&](const core::message& m) {
      if (holder.generation() != seen) {
        seen = holder.generation();
        correlate.replace_correlations(holder.current()->correlations);
      }
      return correlate.handle(m);
    }, never_stop));
    report_stage_end("correlate", correlate.save_windows());
    bus.close(topics.incidents_topic);
  });
  std::thread serve_thread([&] {
    report_stage_end("serve", core::run_stage_loop(*incidents_in, nullptr, [&](const core::message& m) { return sink.handle(m); }, never_stop));
  });
  dispatcher.start();
  collectors.start();
  (*api)->set_rules_status([&holder] { return holder.status_json(); });
  (*api)->start();  // last: the API answers only once every listener is bound and running
  core::log_info("run", "rules=" + std::to_string(rules->detection->rules().size()) +
                            " correlations=" + std::to_string(rules->correlations->correlations().size()) + " data_dir=" + cfg.data_dir +
                            " api=" + cfg.api_listen.host + ":" + std::to_string((*api)->port()) + " talaia is running");

  const int sig = wait_for_stop_signal(reload_on_hangup(holder), reload_on_change(holder));
  core::log_info("run", "signal=" + std::to_string(sig) + " stopping: draining the queues");
  collectors.stop();
  bus.close(topics.events_topic);  // each stage drains its input, then closes the next queue
  detect_thread.join();
  correlate_thread.join();
  serve_thread.join();
  dispatcher.stop();
  (*api)->stop();
  core::log_info("run", "stopped");
  return 0;
}

namespace {

// --metrics HOST:PORT of collect, detect and correlate: /metrics, /healthz and, for a stage
// that loads rules, /api/v1/rules; started at once, nothing when the flag is not given.
class metrics_endpoint {
 public:
  core::result<void> start(const core::config& cfg, const core::metrics_registry& metrics, rules_holder* holder) {
    if (!cfg.metrics_listen) return {};
    auto api = alerts::api_server::bind(*cfg.metrics_listen, nullptr, metrics);
    if (!api) return api.err();
    server_ = std::move(*api);
    if (holder) server_->set_rules_status([holder] { return holder->status_json(); });
    server_->start();
    core::log_info("metrics", "listen=" + cfg.metrics_listen->host + ":" + std::to_string(server_->port()) +
                                  " serving /metrics");
    return {};
  }
  ~metrics_endpoint() {
    if (server_) server_->stop();
  }

 private:
  std::unique_ptr<alerts::api_server> server_;
};

// The Kafka-side skeleton shared by detect, correlate and serve: one consumer group, one stage
// loop on a worker thread, SIGINT/SIGTERM to stop.
// Runs `loop` (until the flag it is given is set) on a worker thread while this thread waits for
// SIGINT/SIGTERM (and, with rules, reloads on SIGHUP or file changes); a loop that fails stops
// the process with exit code 2.
int run_stage_worker(const char* stage, const std::string& running,
                     const std::function<core::result<void>(const std::atomic<bool>&)>& loop,
                     const std::function<void()>& on_started, rules_holder* holder) {
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::thread worker([&] {
    auto r = loop(stop);
    report_stage_end(stage, r);
    if (!r) {
      failed = true;
      ::kill(::getpid(), SIGTERM);  // wake the signal wait below
    }
  });
  if (on_started) on_started();
  core::log_info(stage, running + " stage is running");
  if (holder) wait_for_stop_signal(reload_on_hangup(*holder), reload_on_change(*holder));
  else wait_for_stop_signal();
  stop = true;
  worker.join();
  return failed ? 2 : 0;
}

int run_consuming_stage(const char* stage, const core::config& cfg, const std::string& input_topic,
                        core::producer* out, const std::function<core::result<void>(const core::message&)>& handle,
                        const std::function<void()>& on_started = {}, rules_holder* holder = nullptr,
                        const core::metrics_registry* metrics = nullptr) {
  auto in = core::make_kafka_consumer(cfg.kafka, cfg.kafka.group_prefix + "-" + stage, {input_topic});
  if (!in) return fail(in.err());
  metrics_endpoint endpoint;
  if (metrics)
    if (auto r = endpoint.start(cfg, *metrics, holder); !r) return fail(r.err());
  const int code = run_stage_worker(
      stage, "brokers=" + cfg.kafka.brokers + " topic=" + input_topic,
      [&](const std::atomic<bool>& stop) { return core::run_stage_loop(**in, out, handle, stop); }, on_started, holder);
  in->reset();  // leaves the group, committing stored offsets
  core::log_info(stage, "stopped");
  return code;
}

// Checks the brokers answer, creates missing topics, and makes the stage's producer.
core::result<std::unique_ptr<core::producer>> kafka_start(const core::config& cfg, const char* stage,
                                                          const std::vector<std::string>& topics) {
  if (auto r = core::ensure_topics(cfg.kafka, topics); !r) return r.err();
  return core::make_kafka_producer(cfg.kafka, cfg.kafka.group_prefix + "-" + stage);
}

}  // namespace

int run_collect(const core::config& cfg) {
  block_stop_signals();
  auto producer = kafka_start(cfg, "collect", {cfg.kafka.events_topic});
  if (!producer) return fail(producer.err());
  core::metrics_registry metrics;
  collectors_set collectors;
  if (auto r = collectors.bind(cfg, **producer, metrics); !r) return fail(r.err());
  metrics_endpoint endpoint;
  if (auto r = endpoint.start(cfg, metrics, nullptr); !r) return fail(r.err());
  collectors.start();
  core::log_info("collect", "brokers=" + cfg.kafka.brokers + " collector is running");
  wait_for_stop_signal();
  collectors.stop();
  if (auto r = (*producer)->flush(std::chrono::seconds(30)); !r) return fail(r.err());
  core::log_info("collect", "stopped");
  return 0;
}

int run_detect(const core::config& cfg) {
  block_stop_signals();
  auto rules = load_rule_set(cfg.rules, cfg.sigma);
  if (!rules) return fail(rules.err());
  auto producer = kafka_start(cfg, "detect", {cfg.kafka.events_topic, cfg.kafka.detections_topic, cfg.kafka.dead_letter_topic});
  if (!producer) return fail(producer.err());
  auto detector = correlator::detector::make(rules->detection, detect_settings_of(cfg), rules->correlations);
  if (!detector) return fail(detector.err());
  core::metrics_registry metrics;
  correlator::detect_stage detect(std::move(*detector), **producer, detect_settings_of(cfg), detect_metrics_of(metrics));
  rules_holder holder(*rules, cfg.rules, cfg.sigma, metrics);
  std::uint64_t seen = holder.generation();
  return run_consuming_stage("detect", cfg, cfg.kafka.events_topic, producer->get(),
                             [&](const core::message& m) {
                               if (holder.generation() != seen) seen = rebuild_detector(detect, holder, cfg);
                               return detect.handle(m);
                             },
                             {}, &holder, &metrics);
}

int run_correlate(const core::config& cfg) {
  block_stop_signals();
  auto rules = load_rule_set(cfg.rules, cfg.sigma);  // the correlation rules (and the rules they reference)
  if (!rules) return fail(rules.err());
  const auto& k = cfg.kafka;
  if (auto r = core::ensure_topics(k, {k.detections_topic, k.incidents_topic}); !r) return fail(r.err());
  if (auto r = core::ensure_topics(k, {k.changelog_topic}, std::chrono::seconds(10), {{"cleanup.policy", "compact"}}); !r)
    return fail(r.err());
  // The changelog keeps input partition N's state in its partition N.
  auto inputs = core::topic_partition_count(k, k.detections_topic);
  auto changelog = core::topic_partition_count(k, k.changelog_topic);
  if (!inputs) return fail(inputs.err());
  if (!changelog) return fail(changelog.err());
  if (*changelog < *inputs)
    return fail(core::make_error("topic " + k.changelog_topic + " has " + std::to_string(*changelog) +
                                 " partitions, fewer than " + k.detections_topic + "'s " + std::to_string(*inputs) +
                                 ": give it at least as many"));
  auto store = storage::incident_store::open(cfg.data_dir);
  if (!store) return fail(store.err());
  core::metrics_registry metrics;
  correlator::partitioned_correlate state(correlate_settings_with_metrics(cfg, metrics), rules->correlations,
                                          correlate_metrics_of(metrics));
  const std::string group = k.group_prefix + "-correlate";
  auto session = core::make_kafka_transactional_session(k, group, k.detections_topic, group + "-" + cfg.node_id);
  if (!session) return fail(session.err());
  rules_holder holder(*rules, cfg.rules, cfg.sigma, metrics);
  std::uint64_t seen = holder.generation();
  metrics_endpoint endpoint;
  if (auto r = endpoint.start(cfg, metrics, &holder); !r) return fail(r.err());
  correlator::transactional_settings settings;
  settings.incidents_topic = k.incidents_topic;
  settings.changelog_topic = k.changelog_topic;

  const int code = run_stage_worker(
      "correlate", "brokers=" + k.brokers + " topic=" + k.detections_topic,
      [&](const std::atomic<bool>& stop) {
        return correlator::run_transactional_correlate(**session, state, **store, settings, stop, [&] {
          if (holder.generation() == seen) return;
          seen = holder.generation();
          state.replace_correlations(holder.current()->correlations);
        });
      },
      {}, &holder);
  session->reset();  // leaves the group before the state it revokes into goes away
  core::log_info("correlate", "stopped");
  return code;
}

int run_serve(const core::config& cfg) {
  block_stop_signals();
  if (auto r = core::ensure_topics(cfg.kafka, {cfg.kafka.incidents_topic}); !r) return fail(r.err());
  auto store = storage::incident_store::open(cfg.data_dir);
  if (!store) return fail(store.err());
  core::metrics_registry metrics;
  auto api = alerts::api_server::bind(cfg.api_listen, store->get(), metrics);
  if (!api) return fail(api.err());
  alerts::webhook_dispatcher dispatcher(**store, metrics);
  alerts::incident_sink sink(**store, &dispatcher, webhook_urls(cfg), metrics);
  dispatcher.start();
  int code = run_consuming_stage("serve", cfg, cfg.kafka.incidents_topic, nullptr,
                                 [&](const core::message& m) { return sink.handle(m); },
                                 [&] { (*api)->start(); });
  dispatcher.stop();
  (*api)->stop();
  return code;
}

}  // namespace talaia::app
