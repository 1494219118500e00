#pragma once
// Delivers the webhook outbox: each queued (URL, incident) is POSTed as JSON and removed from
// the outbox only on a 2xx answer; failures are retried with exponential backoff (1 s to 60 s),
// so nothing is lost when a receiver is down or Talaia restarts. Runs on its own thread.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/metrics.hpp"
#include "storage/incident_store.hpp"

namespace talaia::alerts {

class webhook_dispatcher {
 public:
  webhook_dispatcher(storage::incident_store& store, core::metrics_registry& metrics);
  ~webhook_dispatcher();
  void start();
  void notify();  // new entries were queued
  void stop();

 private:
  void run();
  storage::incident_store& store_;
  core::counter& sent_;
  core::counter& failed_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = true;
  std::thread thread_;
};

}  // namespace talaia::alerts
