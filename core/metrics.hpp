#pragma once
// Counters and gauges, registered once at start-up (never looked up per event) and rendered as
// Prometheus text on /metrics. A counter is a relaxed atomic: the owning thread adds, the
// scraper reads.
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <vector>

namespace talaia::core {

class counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class metrics_registry {
 public:
  // name like "talaia_events_received_total", labels like `stage="collect",transport="udp"`.
  counter& make_counter(std::string name, std::string labels, std::string help);
  // A part of the counter `name{labels}` kept elsewhere (by one worker thread), read at scrape
  // time: the sample shown is the counter's own value plus every part's.
  void add_counter_part(std::string name, std::string labels, std::string help, std::function<std::uint64_t()> read);
  // A value read at scrape time (queue depths).
  void make_gauge(std::string name, std::string labels, std::string help, std::function<double()> read);
  std::string render() const;

 private:
  struct entry {
    std::string name, labels, help;
    bool is_counter;
    counter c;
    std::vector<std::function<std::uint64_t()>> parts;  // counters: summed with c at scrape time
    std::function<double()> read;
  };
  mutable std::mutex mu_;
  std::list<entry> entries_;  // list: counters must not move
};

}  // namespace talaia::core
