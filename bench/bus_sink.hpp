#pragma once
// Where a collector benchmark's events go: the in-process bus (drained by a thread, as
// `talaia run` has it) or, with BENCH_KAFKA=HOST:PORT in the environment, a real Kafka broker
// (as `talaia collect` has it: idempotent producer, acks=all, lz4). count() is what arrived
// there; finish() waits for Kafka's acknowledgements, so the CPU time taken after it includes
// librdkafka's threads.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/kafka_bus.hpp"
#include "core/memory_bus.hpp"

namespace talaia::bench {

// A count another thread can wait to reach without polling: a loop polling it every 20 ms woke
// the benchmark's main thread 50 times a second, about 2 % of a NetFlow run's CPU on this machine
// (a wake-up from idle costs tens of microseconds on this VM), counted as the collector's.
class arrival_count {
 public:
  void add(std::size_t n) {
    // seq_cst, with the waiter's store of target_ and load of count_: one of the two sees the other.
    if (count_.fetch_add(n) + n >= target_.load()) {
      std::lock_guard lock(mu_);
      reached_.notify_all();
    }
  }
  std::size_t load() const { return count_.load(std::memory_order_relaxed); }
  // Waits until the count reaches `want` or `timeout` passes; true when reached.
  bool wait_for(std::size_t want, std::chrono::duration<double> timeout) {
    std::unique_lock lock(mu_);
    target_.store(want);
    return reached_.wait_for(lock, timeout, [&] { return count_.load() >= want; });
  }

 private:
  std::atomic<std::size_t> count_{0}, target_{SIZE_MAX};
  std::mutex mu_;
  std::condition_variable reached_;
};

// Forwards to `inner`, counting what it accepted.
class counting_producer final : public core::producer {
 public:
  explicit counting_producer(std::unique_ptr<core::producer> inner) : inner_(std::move(inner)) {}
  core::result<void> send(std::string_view topic, std::string key, std::string value) override {
    auto r = inner_->send(topic, std::move(key), std::move(value));
    if (r) count_.add(1);
    return r;
  }
  bool try_send(std::string_view topic, std::string key, std::string value) override {
    const bool ok = inner_->try_send(topic, std::move(key), std::move(value));
    if (ok) count_.add(1);
    return ok;
  }
  std::size_t try_send_all(std::string_view topic, std::string_view key, core::text_batch& values) override {
    const std::size_t n = inner_->try_send_all(topic, key, values);
    count_.add(n);
    return n;
  }
  core::result<void> flush(std::chrono::milliseconds timeout) override { return inner_->flush(timeout); }
  arrival_count& count() { return count_; }

 private:
  std::unique_ptr<core::producer> inner_;
  arrival_count count_;
};

class bus_sink {
 public:
  bus_sink() {
    if (const char* brokers = std::getenv("BENCH_KAFKA"); brokers && *brokers) {
      core::kafka_config k;
      k.brokers = brokers;
      k.partitions = 4;
      // BENCH_KAFKA_PROPERTIES="name=value;name=value": librdkafka properties to try on top of
      // Talaia's (the config's `kafka.librdkafka` section does the same in a deployment).
      if (const char* props = std::getenv("BENCH_KAFKA_PROPERTIES")) {
        std::string_view rest = props;
        while (!rest.empty()) {
          const std::string_view item = rest.substr(0, rest.find(';'));
          rest.remove_prefix(std::min(rest.size(), item.size() + 1));
          if (const auto eq = item.find('='); eq != std::string_view::npos)
            k.librdkafka[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
        }
      }
      if (auto r = core::ensure_topics(k, {topic}); !r) fail(r.err().message);
      auto p = core::make_kafka_producer(k, "bench");
      if (!p) fail(p.err().message);
      kafka_ = std::make_unique<counting_producer>(std::move(*p));
      return;
    }
    producer_ = bus_.make_producer();
    consumer_ = bus_.make_consumer(topic);
    drain_ = std::thread([this] {  // takes batches, as run_stage_loop does
      std::vector<core::message> batch;
      while (!done_) {
        batch.clear();
        if (const std::size_t n = consumer_->poll_batch(batch, 4096, std::chrono::milliseconds(10))) received_.add(n);
      }
    });
  }
  ~bus_sink() {
    done_ = true;
    if (drain_.joinable()) drain_.join();
  }
  core::producer& producer() { return kafka_ ? static_cast<core::producer&>(*kafka_) : *producer_; }
  std::size_t count() { return arrived().load(); }
  // Waits until `want` have arrived or `timeout` passed; true when they have.
  bool wait_for_count(std::size_t want, std::chrono::duration<double> timeout) { return arrived().wait_for(want, timeout); }
  void finish() {
    if (kafka_)
      if (auto r = kafka_->flush(std::chrono::seconds(60)); !r) fail(r.err().message);
  }
  bool kafka() const { return kafka_ != nullptr; }
  static constexpr const char* topic = "talaia.events";

 private:
  [[noreturn]] static void fail(const std::string& why) {
    std::fprintf(stderr, "bench: %s\n", why.c_str());
    std::exit(2);
  }
  core::memory_bus bus_{1 << 20};
  std::unique_ptr<core::producer> producer_;
  std::unique_ptr<core::consumer> consumer_;
  std::unique_ptr<counting_producer> kafka_;
  std::thread drain_;
  std::atomic<bool> done_{false};
  arrival_count received_;
  arrival_count& arrived() { return kafka_ ? kafka_->count() : received_; }
};

}  // namespace talaia::bench
