#pragma once
// The loop every consuming stage runs: poll a batch, handle each message (which sends its
// output), flush the producer, then commit the batch. Input is committed only after its output
// is delivered: at-least-once, made exactly-once downstream by deterministic ids.
#include <atomic>
#include <functional>

#include "core/result.hpp"

#include "core/bus.hpp"

namespace talaia::core {

struct stage_loop_options {
  std::size_t max_batch = 4096;  // above memory_bus::consumer_batch: a lingered batch is mostly taken whole
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds flush_timeout{30000};
};

// Returns when `stop` is set or the consumer is finished; error when a message cannot be
// handled or the output cannot be delivered (the batch stays uncommitted and is read again).
result<void> run_stage_loop(consumer& in, producer* out, const std::function<result<void>(const message&)>& handle,
                            const std::atomic<bool>& stop, const stage_loop_options& options = {});

}  // namespace talaia::core
