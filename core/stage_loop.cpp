#include "core/stage_loop.hpp"

#include <algorithm>
#include <vector>

namespace talaia::core {

result<void> run_stage_loop(consumer& in, producer* out, const std::function<result<void>(const message&)>& handle,
                            const std::atomic<bool>& stop, const stage_loop_options& options) {
  std::vector<message> batch;
  std::vector<const message*> last;  // per partition of the batch: its last message
  while (!stop.load(std::memory_order_relaxed) && !in.finished()) {
    batch.clear();
    if (in.poll_batch(batch, options.max_batch, options.poll_timeout) == 0) continue;
    for (const message& m : batch)
      if (auto r = handle(m); !r) return r;
    if (out) {
      if (auto r = out->flush(options.flush_timeout); !r) return r;
    }
    // A batch mostly holds runs of one partition: the last of each run replaces an earlier
    // message of its partition, if any, else is added.
    last.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const message& m = batch[i];
      if (i + 1 < batch.size() && batch[i + 1].partition == m.partition && batch[i + 1].topic == m.topic) continue;
      auto same = std::find_if(last.begin(), last.end(), [&](const message* l) { return l->partition == m.partition && l->topic == m.topic; });
      if (same != last.end()) *same = &m;
      else last.push_back(&m);
    }
    for (const message* m : last) in.commit(*m);
  }
  if (out) return out->flush(options.flush_timeout);
  return {};
}

}  // namespace talaia::core
