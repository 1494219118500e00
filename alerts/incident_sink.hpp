#pragma once
// The serve stage's message handler: each incident from the correlate stage is stored (a
// redelivered or stale copy is ignored by the store), and a new one is queued for every webhook
// in the same write; the dispatcher is woken to send it.
#include "alerts/webhook_dispatcher.hpp"
#include "core/bus.hpp"
#include "core/metrics.hpp"
#include "storage/incident_store.hpp"

namespace talaia::alerts {

class incident_sink {
 public:
  incident_sink(storage::incident_store& store, webhook_dispatcher* dispatcher, std::vector<std::string> webhook_urls,
                core::metrics_registry& metrics);
  // Error only when the store cannot be written (the message must then be read again).
  core::result<void> handle(const core::message& m);

 private:
  storage::incident_store& store_;
  webhook_dispatcher* dispatcher_;
  std::vector<std::string> urls_;
  core::counter& stored_;
  core::counter& created_;
  core::counter& invalid_;
};

}  // namespace talaia::alerts
