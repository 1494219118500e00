#include "alerts/incident_sink.hpp"

#include "core/log.hpp"

namespace talaia::alerts {

incident_sink::incident_sink(storage::incident_store& store, webhook_dispatcher* dispatcher,
                             std::vector<std::string> webhook_urls, core::metrics_registry& metrics)
    : store_(store),
      dispatcher_(dispatcher),
      urls_(std::move(webhook_urls)),
      stored_(metrics.make_counter("talaia_incident_updates_total", "", "Incident states written to the store")),
      created_(metrics.make_counter("talaia_incidents_total", "", "Incidents opened")),
      invalid_(metrics.make_counter("talaia_errors_total", "stage=\"serve\"", "Messages the stage could not use")) {}

core::result<void> incident_sink::handle(const core::message& m) {
  auto inc = core::decode_incident(m.value);
  if (!inc) {
    invalid_.add();
    core::log_warn("serve", "error=\"" + inc.err().message + "\" incident message skipped");
    return {};
  }
  auto is_new = store_.upsert(*inc, urls_);
  if (!is_new) return is_new.err();
  stored_.add();
  if (*is_new) {
    created_.add();
    core::log(core::log_level::debug, "serve", "incident=" + inc->id + " rule=" + inc->rule.id + " incident opened");
    if (dispatcher_ && !urls_.empty()) dispatcher_->notify();
  }
  return {};
}

}  // namespace talaia::alerts
