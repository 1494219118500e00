#pragma once
// The in-process bus of `talaia run`: one bounded queue per topic. send() waits while a queue is
// full, so a slow stage slows the ones before it instead of losing events; close() lets each
// consumer drain what is queued and then finish, which is how `run` stops cleanly.
//
// Hand-over is batched on the consuming side: a consumer takes up to `consumer_batch` messages
// under one lock and serves them from its own buffer, and a side is woken only when the other
// is actually waiting. A consumer's buffer is on top of the queue's capacity (at most
// capacity + consumer_batch messages per consumer are in flight).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/bus.hpp"

namespace talaia::core {

class bounded_queue {
 public:
  // A consumer woken for fewer than linger_batch messages waits up to `linger` for more: at most
  // that much latency added, at most 1 / linger wake-ups a second when messages trickle (2 ms, as
  // udp_reader: the collectors' wake-ups cost more than their messages at a high rate). 1024, not
  // 256: a NetFlow listener's 480,000 records a second woke the consumer 1,900 times a second at
  // 256, and the process switched threads twice as often (10,000-12,000 switches for 960,000
  // records against about 5,000).
  static constexpr std::size_t linger_batch = 1024;
  static constexpr std::chrono::microseconds linger{2000};

  // Room for messages kept once they are taken (beyond it, the vector is given back).
  static constexpr std::size_t kept_capacity = 65536;

  explicit bounded_queue(std::size_t capacity) : capacity_(capacity) {}
  bool push(message m, bool wait);  // false when closed, or full and !wait
  // Without waiting, as many of `values` as there is room for, in order (one lock), each a view
  // into their shared block; how many.
  std::size_t try_push_all(std::string_view topic, std::string_view key, text_batch& values);
  // Moves up to `max` messages to the back of `out`, waiting up to `timeout` for the first;
  // returns how many.
  std::size_t pop_batch(std::vector<message>& out, std::size_t max, std::chrono::milliseconds timeout);
  void close();
  bool finished() const;  // closed and empty
  std::size_t depth() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  void wait_while_flowing(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout);
  void wait_then_linger(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout);
  // Queued messages are items_[head_..]: a vector, not a deque (a deque node holds four messages,
  // so one push in four allocated), taken whole by swapping when a consumer takes everything.
  std::size_t size_locked() const { return items_.size() - head_; }
  // A lingering consumer takes its batch as soon as linger_batch messages are queued, or the queue
  // is full (a small queue never holds linger_batch): the push that gets there wakes it.
  std::size_t linger_target() const { return std::min(linger_batch, capacity_); }
  std::size_t flowing_target() const { return std::max(linger_target(), capacity_ / 2); }
  bool lingered_out_locked() const {
    return (lingering_consumers_ > 0 && size_locked() >= linger_target()) ||
           (flowing_consumers_ > 0 && size_locked() >= flowing_target());
  }
  std::vector<message> items_;
  std::size_t head_ = 0;
  std::size_t capacity_;
  std::size_t waiting_consumers_ = 0, waiting_producers_ = 0;
  std::size_t lingering_consumers_ = 0;  // consumers waiting out the linger for more messages
  std::size_t flowing_consumers_ = 0;     // consumers waiting out a linger while messages flow
  bool flowing_ = false;                  // the last take found messages
  bool closed_ = false;
};

class memory_bus {
 public:
  // As linger_batch: a consumer woken for a lingered batch takes the whole queue by swapping.
  static constexpr std::size_t consumer_batch = 1024;

  explicit memory_bus(std::size_t capacity_per_topic);
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
  std::uint64_t generation_;  // tells buses apart in the producers' per-thread lookup cache
};

}  // namespace talaia::core
