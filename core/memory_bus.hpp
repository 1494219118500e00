#pragma once
// The in-process bus of `talaia run`: one bounded queue per topic. send() waits while a queue is
// full, so a slow stage slows the ones before it instead of losing events; close() lets each
// consumer drain what is queued and then finish, which is how `run` stops cleanly.
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "core/bus.hpp"

namespace talaia::core {

class bounded_queue {
 public:
  explicit bounded_queue(std::size_t capacity) : capacity_(capacity) {}
  bool push(message m, bool wait);  // false when closed, or full and !wait
  std::optional<message> pop(std::chrono::milliseconds timeout);
  void close();
  bool finished() const;  // closed and empty
  std::size_t depth() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<message> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

class memory_bus {
 public:
  explicit memory_bus(std::size_t capacity_per_topic) : capacity_(capacity_per_topic) {}
  std::unique_ptr<producer> make_producer();
  std::unique_ptr<consumer> make_consumer(std::string_view topic);
  void close(std::string_view topic);
  std::size_t depth(std::string_view topic);

 private:
  friend class memory_producer;
  bounded_queue& queue(std::string_view topic);
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<bounded_queue>, std::less<>> queues_;
  std::size_t capacity_;
};

}  // namespace talaia::core
