#pragma once
// Test support: an HTTP server on 127.0.0.1 that records every POST body and answers with a
// configurable status (to test retries).
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace talaia::testing {

class webhook_receiver {
 public:
  webhook_receiver();
  ~webhook_receiver();
  std::string url() const;  // http://127.0.0.1:PORT/hook
  std::uint16_t port() const;
  std::vector<std::string> bodies() const;
  void set_status(int status) { status_ = status; }
  std::size_t attempts() const { return attempts_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::atomic<int> status_{200};
  std::atomic<std::size_t> attempts_{0};
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

}  // namespace talaia::testing
