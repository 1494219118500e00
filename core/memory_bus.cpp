#include "core/memory_bus.hpp"

#include <atomic>

namespace talaia::core {

bool bounded_queue::push(message m, bool wait) {
  std::unique_lock lock(mu_);
  if (wait && !closed_ && size_locked() >= capacity_) {
    ++waiting_producers_;
    not_full_.wait(lock, [&] { return closed_ || size_locked() < capacity_; });
    --waiting_producers_;
  }
  if (closed_ || size_locked() >= capacity_) return false;
  items_.push_back(std::move(m));
  const bool wake = waiting_consumers_ > 0 || lingered_out_locked();
  lock.unlock();
  if (wake) not_empty_.notify_one();
  return true;
}

std::size_t bounded_queue::try_push_all(std::string_view topic, std::string_view key, text_batch& values) {
  if (values.empty()) return 0;  // a packet of templates only: the batch keeps its block for the next
  const std::shared_ptr<const char[]> block = values.share();
  std::unique_lock lock(mu_);
  if (closed_) return 0;
  const std::size_t n = std::min(values.size(), capacity_ - std::min(capacity_, size_locked()));
  // Copies of two short strings and a view, made in place (a message built, then moved into the
  // vector, cost three more string moves; assign() to a built one, its aliasing checks).
  const std::string topic_text(topic), key_text(key);
  for (std::size_t i = 0; i < n; ++i) items_.emplace_back(topic_text, key_text, payload(block, values[i]));
  const bool wake = n > 0 && (waiting_consumers_ > 0 || lingered_out_locked());
  lock.unlock();
  if (wake) not_empty_.notify_one();
  return n;
}

// Messages were flowing at the last take: wait out lingers (up to `timeout`) and take whatever
// came, woken early only if the queue fills to half. Woken by the first message and then
// lingering, a consumer slept twice a batch; woken at linger_batch, it preempted its producer (a
// NetFlow listener's decoding thread, 600 times a second). When the flow stops, the take that
// finds nothing ends this mode, so an idle consumer does not wake every linger.
void bounded_queue::wait_while_flowing(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ++flowing_consumers_;
  for (auto now = std::chrono::steady_clock::now(); !closed_ && size_locked() == 0 && now < deadline;
       now = std::chrono::steady_clock::now())
    not_empty_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(linger, deadline - now),
                        [&] { return closed_ || size_locked() >= flowing_target(); });
  --flowing_consumers_;
}

// Otherwise: woken by the first message, then let more arrive for a moment before taking them,
// so that a consumer faster than its producers is not woken once per message. Producers do not
// notify meanwhile (no consumer counts as waiting), so this costs one timed wait, not a wake-up
// each.
void bounded_queue::wait_then_linger(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout) {
  ++waiting_consumers_;
  not_empty_.wait_for(lock, timeout, [&] { return closed_ || size_locked() > 0; });
  --waiting_consumers_;
  if (!closed_ && size_locked() > 0 && size_locked() < linger_target()) {
    ++lingering_consumers_;
    not_empty_.wait_for(lock, linger, [&] { return closed_ || size_locked() >= linger_target(); });
    --lingering_consumers_;
  }
}

std::size_t bounded_queue::pop_batch(std::vector<message>& out, std::size_t max, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (size_locked() == 0 && !closed_) {
    if (flowing_) wait_while_flowing(lock, timeout);
    else wait_then_linger(lock, timeout);
  }
  const std::size_t n = std::min(max, size_locked());
  flowing_ = n > 0;
  if (out.empty() && head_ == 0 && n == items_.size()) {
    std::swap(out, items_);  // everything queued, taken whole (the consumers' usual case)
  } else {
    out.insert(out.end(), std::make_move_iterator(items_.begin() + static_cast<std::ptrdiff_t>(head_)),
               std::make_move_iterator(items_.begin() + static_cast<std::ptrdiff_t>(head_ + n)));
    head_ += n;
    // The taken front is dropped once it is all that is left, or half the vector.
    if (head_ == items_.size() || head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
      if (items_.empty() && items_.capacity() > kept_capacity) items_ = {};  // a burst's room given back
    }
  }
  const bool wake = n > 0 && waiting_producers_ > 0;
  lock.unlock();
  if (wake) not_full_.notify_all();
  return n;
}

void bounded_queue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  not_empty_.notify_all();
  not_full_.notify_all();
}

bool bounded_queue::finished() const {
  std::lock_guard lock(mu_);
  return closed_ && size_locked() == 0;
}

std::size_t bounded_queue::depth() const {
  std::lock_guard lock(mu_);
  return size_locked();
}

namespace {
std::atomic<std::uint64_t> next_generation{1};
}

memory_bus::memory_bus(std::size_t capacity_per_topic)
    : capacity_(capacity_per_topic), generation_(next_generation.fetch_add(1)) {}

bounded_queue& memory_bus::queue(std::string_view topic) {
  // Producers send to a handful of topics, one after another from the same thread: remember the
  // last queue per thread instead of taking the bus lock and searching the map every message.
  // Queues live as long as their bus; the generation keeps a later bus at the same address from
  // reusing a stale entry.
  struct last_queue {
    std::uint64_t generation = 0;
    std::string topic;
    bounded_queue* q = nullptr;
  };
  thread_local last_queue last;
  if (last.generation == generation_ && last.topic == topic) return *last.q;
  std::lock_guard lock(mu_);
  auto it = queues_.find(topic);
  if (it == queues_.end())
    it = queues_.emplace(std::string(topic), std::make_unique<bounded_queue>(capacity_)).first;
  last.generation = generation_;
  last.topic.assign(topic);
  last.q = it->second.get();
  return *it->second;
}

class memory_producer final : public producer {
 public:
  explicit memory_producer(memory_bus& bus) : bus_(bus) {}
  result<void> send(std::string_view topic, std::string key, std::string value) override {
    if (!bus_.queue(topic).push(message{std::string(topic), std::move(key), std::move(value)}, true))
      return make_error("in-process bus closed: topic " + std::string(topic));
    return {};
  }
  bool try_send(std::string_view topic, std::string key, std::string value) override {
    return bus_.queue(topic).push(message{std::string(topic), std::move(key), std::move(value)}, false);
  }
  std::size_t try_send_all(std::string_view topic, std::string_view key, text_batch& values) override {
    return bus_.queue(topic).try_push_all(topic, key, values);
  }
  result<void> flush(std::chrono::milliseconds) override { return {}; }

 private:
  memory_bus& bus_;
};

class memory_consumer final : public consumer {
 public:
  explicit memory_consumer(bounded_queue& q) : q_(q) {}
  std::optional<message> poll(std::chrono::milliseconds timeout) override {
    if (next_ == ready_.size()) {
      ready_.clear();
      if (ready_.capacity() > bounded_queue::kept_capacity) ready_ = {};  // a burst's room given back
      next_ = 0;
      if (q_.pop_batch(ready_, memory_bus::consumer_batch, timeout) == 0) return std::nullopt;
    }
    return std::move(ready_[next_++]);
  }
  std::size_t poll_batch(std::vector<message>& out, std::size_t max, std::chrono::milliseconds timeout) override {
    if (next_ < ready_.size()) {  // what poll() left first, in order
      const std::size_t n = std::min(max, ready_.size() - next_);
      out.insert(out.end(), std::make_move_iterator(ready_.begin() + static_cast<std::ptrdiff_t>(next_)),
                 std::make_move_iterator(ready_.begin() + static_cast<std::ptrdiff_t>(next_ + n)));
      next_ += n;
      return n;
    }
    return q_.pop_batch(out, max, timeout);
  }
  void commit(const message&) override {}
  bool finished() const override { return next_ == ready_.size() && q_.finished(); }

 private:
  bounded_queue& q_;
  std::vector<message> ready_;  // taken from the queue; ready_[next_..] not yet handed out
  std::size_t next_ = 0;
};

std::unique_ptr<producer> memory_bus::make_producer() { return std::make_unique<memory_producer>(*this); }

std::unique_ptr<consumer> memory_bus::make_consumer(std::string_view topic) {
  return std::make_unique<memory_consumer>(queue(topic));
}

void memory_bus::close(std::string_view topic) { queue(topic).close(); }

std::size_t memory_bus::depth(std::string_view topic) { return queue(topic).depth(); }

}  // namespace talaia::core
