#include "core/stage_loop.hpp"

#include <map>

namespace talaia::core {

result<void> run_stage_loop(consumer& in, producer* out, const std::function<result<void>(const message&)>& handle,
                            const std::atomic<bool>& stop, const stage_loop_options& options) {
  std::map<std::pair<std::string, std::int32_t>, message> last;  // per partition: last handled
  while (!stop.load(std::memory_order_relaxed) && !in.finished()) {
    std::size_t n = 0;
    while (n < options.max_batch) {
      auto m = in.poll(n == 0 ? options.poll_timeout : std::chrono::milliseconds(0));
      if (!m) break;
      if (auto r = handle(*m); !r) return r;
      ++n;
      auto key = std::make_pair(m->topic, m->partition);
      last[key] = std::move(*m);
    }
    if (n == 0) continue;
    if (out) {
      if (auto r = out->flush(options.flush_timeout); !r) return r;
    }
    for (auto& [key, m] : last) in.commit(m);
    last.clear();
  }
  if (out) return out->flush(options.flush_timeout);
  return {};
}

}  // namespace talaia::core
