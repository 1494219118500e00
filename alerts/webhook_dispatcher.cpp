#include "alerts/webhook_dispatcher.hpp"

#include "alerts/http_client.hpp"
#include "core/log.hpp"

namespace talaia::alerts {

webhook_dispatcher::webhook_dispatcher(storage::incident_store& store, core::metrics_registry& metrics)
    : store_(store),
      sent_(metrics.make_counter("talaia_webhooks_sent_total", "", "Webhook deliveries acknowledged with 2xx")),
      failed_(metrics.make_counter("talaia_webhooks_failed_total", "", "Webhook attempts that failed (retried)")) {}

webhook_dispatcher::~webhook_dispatcher() { stop(); }

void webhook_dispatcher::start() { thread_ = std::thread([this] { run(); }); }

void webhook_dispatcher::notify() {
  std::lock_guard lock(mu_);
  pending_ = true;
  wake_.notify_one();
}

void webhook_dispatcher::stop() {
  stop_ = true;
  notify();
  if (thread_.joinable()) thread_.join();
}

void webhook_dispatcher::run() {
  std::chrono::milliseconds backoff{0};
  while (!stop_) {
    {
      std::unique_lock lock(mu_);
      auto wait = backoff.count() > 0 ? backoff : std::chrono::milliseconds(5000);
      wake_.wait_for(lock, wait, [&] { return stop_ || (pending_ && backoff.count() == 0); });
      pending_ = false;
    }
    if (stop_) break;
    auto entries = store_.outbox(100);
    if (!entries) {
      core::log_error("webhook", "error=\"" + entries.err().message + "\" outbox unreadable");
      continue;
    }
    bool failed = false;
    for (const auto& e : *entries) {
      if (stop_) break;
      auto res = http_post_json(e.url, e.body, std::chrono::seconds(5));
      if (res && res->status >= 200 && res->status < 300) {
        sent_.add();
        if (auto r = store_.remove_outbox(e.key); !r) core::log_error("webhook", "error=\"" + r.err().message + "\"");
        continue;
      }
      failed_.add();
      core::log_warn("webhook", "url=" + e.url + " error=\"" +
                                    (res ? "HTTP " + std::to_string(res->status) : res.err().message) +
                                    "\" delivery failed, will retry");
      failed = true;
      break;  // keep order: retry this entry first
    }
    if (failed) {
      backoff = std::min<std::chrono::milliseconds>(std::max<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(1)),
                                                    std::chrono::seconds(60));
    } else {
      backoff = std::chrono::milliseconds(0);
      if (entries->size() == 100) notify();  // more to send
    }
  }
}

}  // namespace talaia::alerts
