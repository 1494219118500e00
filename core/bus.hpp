#pragma once
// The seam between stages. Two implementations: the in-process bus (bounded queues, `talaia run`)
// and Kafka (librdkafka, `talaia collect|detect|correlate|serve`). Stages only see these interfaces.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/shared_text.hpp"

namespace talaia::core {

struct message {
  std::string topic;
  std::string key;
  payload value;  // its own text, or a view into a block the other records of its packet share
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

class producer {
 public:
  virtual ~producer() = default;
  // Queues a message, waiting while the bus is full (backpressure). Fails only when the bus is
  // closed or broken; a message queued here is delivered or counted as failed by the bus.
  virtual result<void> send(std::string_view topic, std::string key, std::string value) = 0;
  // Never waits: false when the bus is full, so a caller that cannot wait (UDP) counts a drop.
  virtual bool try_send(std::string_view topic, std::string key, std::string value) = 0;
  // try_send of each of `values`, all with one key, in order; returns how many were accepted. A
  // bus that can take them together overrides it (the in-process bus: one lock, and messages
  // that share the batch's block instead of copies).
  virtual std::size_t try_send_all(std::string_view topic, std::string_view key, text_batch& values) {
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < values.size(); ++i) accepted += try_send(topic, std::string(key), std::string(values[i])) ? 1 : 0;
    return accepted;
  }
  // Waits until every queued message is delivered (or failed); error on timeout or failures.
  virtual result<void> flush(std::chrono::milliseconds timeout) = 0;
};

class consumer {
 public:
  virtual ~consumer() = default;
  // The next message, or nothing when none arrived within `timeout`.
  virtual std::optional<message> poll(std::chrono::milliseconds timeout) = 0;
  // Appends to `out` up to `max` messages: the first waited for up to `timeout`, the others only
  // if already there; returns how many. A bus that can hand a batch over whole overrides it (the
  // in-process bus: its queue's vector, without a move per message).
  virtual std::size_t poll_batch(std::vector<message>& out, std::size_t max, std::chrono::milliseconds timeout) {
    std::size_t n = 0;
    while (n < max) {
      auto m = poll(n == 0 ? timeout : std::chrono::milliseconds(0));
      if (!m) break;
      out.push_back(std::move(*m));
      ++n;
    }
    return n;
  }
  // Marks `m` and everything before it on its partition as handled (its output delivered).
  virtual void commit(const message& m) = 0;
  // True once no message will ever come again (in-process bus closed and drained).
  virtual bool finished() const = 0;
};

}  // namespace talaia::core
