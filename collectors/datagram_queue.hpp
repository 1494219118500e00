#pragma once
// Datagrams handed from the thread that reads a UDP socket to the thread that parses them.
//
// Why: a collector that parses on the reading thread stops reading while it parses, and when the
// machine is busy (senders and parsers sharing the cores) the kernel's receive buffer overflows
// and drops datagrams, each of which costs it about 2 KiB of buffer for a few hundred bytes of
// text. A reading thread that only copies datagrams out sleeps most of the time, so the scheduler
// runs it as soon as the socket is readable, and the text waits here at its own size. rsyslog's
// imudp works the same way; syslog-ng, which parses on the reading thread, loses most datagrams
// at 150,000/s on the same machine (bench/syslog).
//
// Bounded by bytes of datagram text: a push beyond the bound is refused (the reader counts the
// drop). One reader and one consumer at a time; the buffers are swapped whole, so neither side allocates
// per datagram once warm (and at most twice the bound is held: the queue and the batch being
// parsed).
#include <boost/asio/ip/address.hpp>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace talaia::collectors {

class datagram_queue {
 public:
  struct datagram {
    std::size_t offset = 0, size = 0;  // its bytes in the batch's text
    boost::asio::ip::address from;
    std::uint16_t from_port = 0;
    std::int64_t received_micros = 0;
  };
  struct batch {
    std::vector<char> text;
    std::vector<datagram> datagrams;
    std::string_view bytes(const datagram& d) const { return {text.data() + d.offset, d.size}; }
    void clear() {
      text.clear();
      datagrams.clear();
    }
  };

  explicit datagram_queue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Reader: queues a copy of `bytes`; false when that would pass the bound, or after close().
  bool push(std::string_view bytes, const boost::asio::ip::address& from, std::uint16_t from_port, std::int64_t received_micros);

  // Reader: the same for several datagrams (a recvmmsg call's) under one lock.
  class locked {
   public:
    explicit locked(datagram_queue& q) : q_(q), lock_(q.mu_) {}
    bool push(std::string_view bytes, const boost::asio::ip::address& from, std::uint16_t from_port,
              std::int64_t received_micros) {
      return q_.push_locked(bytes, from, from_port, received_micros);
    }

   private:
    datagram_queue& q_;
    std::lock_guard<std::mutex> lock_;
  };
  // Reader, after a run of pushes: wakes the consumer if it waits.
  void notify();
  // Consumer: waits until something is queued or the queue is closed, then swaps everything
  // queued into `out` (cleared first). False when closed and nothing was left.
  bool pop_all(batch& out);
  // The same in two steps, for a consumer that takes turns with another thread (the NetFlow
  // listener's reading thread decodes small turns itself): wait_ready() waits until something is
  // queued or the queue is closed (false when closed and empty); try_pop_all() swaps whatever is
  // queued into `out` without waiting, false (taking nothing) when nothing or more than
  // `at_most` datagrams were.
  bool wait_ready();
  bool try_pop_all(batch& out, std::size_t at_most = SIZE_MAX);
  // Either side: no more pushes; the consumer still gets what is queued.
  void close();

 private:
  bool push_locked(std::string_view bytes, const boost::asio::ip::address& from, std::uint16_t from_port,
                   std::int64_t received_micros);

  const std::size_t max_bytes_;
  std::mutex mu_;
  std::condition_variable ready_;
  batch queued_;
  bool waiting_ = false;
  bool closed_ = false;
};

}  // namespace talaia::collectors
