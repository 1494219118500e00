#include "collectors/datagram_queue.hpp"

namespace talaia::collectors {

bool datagram_queue::push(std::string_view bytes, const boost::asio::ip::address& from, std::uint16_t from_port,
                          std::int64_t received_micros) {
  return locked(*this).push(bytes, from, from_port, received_micros);
}

bool datagram_queue::push_locked(std::string_view bytes, const boost::asio::ip::address& from, std::uint16_t from_port,
                                 std::int64_t received_micros) {
  if (closed_ || queued_.text.size() + bytes.size() > max_bytes_) return false;
  queued_.datagrams.push_back({queued_.text.size(), bytes.size(), from, from_port, received_micros});
  queued_.text.insert(queued_.text.end(), bytes.begin(), bytes.end());
  return true;
}

void datagram_queue::notify() {
  bool wake;
  {
    std::lock_guard lock(mu_);
    wake = waiting_ && !queued_.datagrams.empty();
  }
  if (wake) ready_.notify_one();
}

bool datagram_queue::pop_all(batch& out) {
  out.clear();
  while (wait_ready())
    if (try_pop_all(out)) return true;
  return false;  // closed, nothing left
}

bool datagram_queue::wait_ready() {
  std::unique_lock lock(mu_);
  waiting_ = true;
  ready_.wait(lock, [&] { return closed_ || !queued_.datagrams.empty(); });
  waiting_ = false;
  return !queued_.datagrams.empty();
}

bool datagram_queue::try_pop_all(batch& out, std::size_t at_most) {
  out.clear();
  std::lock_guard lock(mu_);
  if (queued_.datagrams.empty() || queued_.datagrams.size() > at_most) return false;
  std::swap(out, queued_);  // the consumer's emptied buffers become the reader's
  return true;
}

void datagram_queue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  ready_.notify_all();
}

}  // namespace talaia::collectors
