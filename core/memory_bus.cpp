#include "core/memory_bus.hpp"

namespace talaia::core {

bool bounded_queue::push(message m, bool wait) {
  std::unique_lock lock(mu_);
  if (wait) not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
  if (closed_ || items_.size() >= capacity_) return false;
  items_.push_back(std::move(m));
  not_empty_.notify_one();
  return true;
}

std::optional<message> bounded_queue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); })) return std::nullopt;
  if (items_.empty()) return std::nullopt;
  message m = std::move(items_.front());
  items_.pop_front();
  not_full_.notify_one();
  return m;
}

void bounded_queue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  not_empty_.notify_all();
  not_full_.notify_all();
}

bool bounded_queue::finished() const {
  std::lock_guard lock(mu_);
  return closed_ && items_.empty();
}

std::size_t bounded_queue::depth() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

bounded_queue& memory_bus::queue(std::string_view topic) {
  std::lock_guard lock(mu_);
  auto it = queues_.find(topic);
  if (it == queues_.end())
    it = queues_.emplace(std::string(topic), std::make_unique<bounded_queue>(capacity_)).first;
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
  result<void> flush(std::chrono::milliseconds) override { return {}; }

 private:
  memory_bus& bus_;
};

class memory_consumer final : public consumer {
 public:
  explicit memory_consumer(bounded_queue& q) : q_(q) {}
  std::optional<message> poll(std::chrono::milliseconds timeout) override { return q_.pop(timeout); }
  void commit(const message&) override {}
  bool finished() const override { return q_.finished(); }

 private:
  bounded_queue& q_;
};

std::unique_ptr<producer> memory_bus::make_producer() { return std::make_unique<memory_producer>(*this); }

std::unique_ptr<consumer> memory_bus::make_consumer(std::string_view topic) {
  return std::make_unique<memory_consumer>(queue(topic));
}

void memory_bus::close(std::string_view topic) { queue(topic).close(); }

std::size_t memory_bus::depth(std::string_view topic) { return queue(topic).depth(); }

}  // namespace talaia::core
