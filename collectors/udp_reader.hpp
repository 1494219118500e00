#pragma once
// The reading side of a UDP worker (syslog and NetFlow listeners): waits until its socket is
// readable, takes what is there with recvmmsg (32 datagrams a call, at most 4 calls a turn, so
// that other handlers on the same io_context get theirs) and queues each datagram with its
// sender and receive time for the worker's parsing thread (datagram_queue.hpp). When a turn found
// datagrams but emptied the socket, the next turn comes after a short linger instead of the next
// datagram's wake-up: at a high rate a wake-up per datagram or two (the kernel switching threads)
// cost more than the messages themselves. The kernel's receive buffer holds the datagrams
// meanwhile; a quiet socket goes back to waiting after one empty turn. 2 ms: against 0.5 ms, the
// NetFlow listener took about a fifth less CPU at 20,000 packets/s (bench/netflow), and 2 ms is
// nothing next to a flow's own export delay or Kafka's linger. Senders that send in bursts
// (an exporter's packets of a flush, a replay paced by the burst) are read a burst a turn: once a
// linger found nothing, a turn that read a burst waits for the next readiness (turn_pacing).
#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "collectors/datagram_queue.hpp"
#include "collectors/udp_workers.hpp"

namespace talaia::collectors {

// After each turn: linger, or wait for the socket's next readiness. Lingering batches datagrams
// that arrive spread out; after bursts, a linger expires between them with nothing to read, and
// such a wake-up costs as much as one that finds a burst (a timer's expiry took 25-33 us of CPU
// on the benchmark's VM: about 5 % of the NetFlow listener's CPU at 20,000 packets/s in bursts of
// 64). So once a linger found nothing, a turn that read at least `burst` datagrams does not
// linger; a turn that read fewer (datagrams arriving one by one) lingers again.
struct turn_pacing {
  static constexpr std::size_t burst = 8;
  bool last_linger_empty = false;

  // `got` datagrams read by a turn that came from the linger (`lingered`) or from readiness, which
  // stopped after `full` datagrams (the socket may hold more); true: linger before the next.
  bool linger_after(std::size_t got, bool lingered, std::size_t full) {
    if (lingered) last_linger_empty = got == 0;
    if (got == 0 || got >= full) return false;
    return !(last_linger_empty && got >= burst);
  }
};

class udp_reader {
 public:
  static constexpr std::size_t batch = 32;  // datagrams per recvmmsg call
  static constexpr auto linger = std::chrono::microseconds(2000);

  // `socket`, `queue` and `dropped` (datagrams the full queue refused) outlive the reader.
  udp_reader(boost::asio::ip::udp::socket& socket, datagram_queue& queue, local_counter& dropped);

  // Starts reading, on the socket's executor. Every pending handler holds `owner` (whoever owns
  // the socket and this reader); reading ends when the socket is closed or `stopped()` is true.
  // Optional `parse_here`: after a turn that read datagrams, runs on this thread and may parse
  // what is queued itself (true), so the parsing thread is not woken; false leaves it to that
  // thread (the NetFlow listener parses here only a small queue, nothing to catch up on: handing
  // a few datagrams over, a wake-up and their bytes read on another core, costs more than
  // parsing them here).
  void start(std::shared_ptr<void> owner, std::function<bool()> stopped, std::function<bool()> parse_here = {});
  // On the socket's executor: no more turns after the pending one.
  void cancel() { linger_timer_.cancel(); }

 private:
  // `owner` travels from handler to handler (no member holds it: the owner holds this reader).
  void wait(std::shared_ptr<void> owner);
  void turn(std::shared_ptr<void> owner, bool lingered);
  std::size_t drain();  // datagrams taken this turn

  boost::asio::ip::udp::socket& socket_;
  datagram_queue& queue_;
  local_counter& dropped_;
  boost::asio::steady_timer linger_timer_;
  turn_pacing pacing_;
  std::function<bool()> stopped_;
  std::function<bool()> parse_here_;
  std::vector<char> datagrams_;
  std::array<mmsghdr, batch> headers_{};
  std::array<iovec, batch> vectors_{};
  std::array<sockaddr_storage, batch> senders_{};
};

// A sender's address as Asio has it, and its port, from what recvmmsg filled in.
boost::asio::ip::address address_of(const sockaddr_storage& s);
std::uint16_t port_of(const sockaddr_storage& s);

}  // namespace talaia::collectors
