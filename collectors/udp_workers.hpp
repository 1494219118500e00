#pragma once
// What the UDP listeners (syslog, NetFlow) share to read one port with several workers: N
// sockets bound to the same address with SO_REUSEPORT, each read by its own thread on its own
// io_context, and counters each worker keeps alone that /metrics sums when it is scraped.
//
// The kernel picks the socket of a datagram by a hash of its 4-tuple (sender address and port,
// our address and port). One sender socket (a syslog client, a flow exporter) therefore always
// reaches the same worker, which is what keeps NetFlow v9/IPFIX template state consistent: an
// exporter's templates and its data land in the same worker's decoder. The mapping holds while
// the set of sockets stays the same; a restart with another worker count remaps senders (the
// templates saved by every worker are loaded by every worker at start for that reason).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "core/result.hpp"

namespace talaia::collectors {

// Opens and binds `s` on `at`: SO_RCVBUF asked for (the kernel caps it at rmem_max, not an
// error), SO_REUSEPORT when `reuse_port`. The error names the address.
core::result<void> open_udp(boost::asio::ip::udp::socket& s, const boost::asio::ip::udp::endpoint& at,
                            std::size_t receive_buffer, bool reuse_port);

// The inode of a socket (its line in /proc/net/udp), 0 when unknown.
std::uint64_t socket_inode(int fd);

// SO_REUSEPORT lets any socket of the same user join the port, and the kernel would then split
// datagrams with it without a word (two collectors started on one port, say). After binding
// the workers' sockets (`inodes`), fails when /proc/net/udp{,6} shows another socket on the same
// local address and port.
core::result<void> check_port_not_shared(const std::vector<std::uint64_t>& inodes, const std::string& where);

// The io_contexts and threads of a listener's workers.
class worker_threads {
 public:
  explicit worker_threads(std::size_t n);
  ~worker_threads();
  std::size_t size() const { return ios_.size(); }
  boost::asio::io_context& io(std::size_t i) { return *ios_[i]; }
  // One thread per worker, each running its io_context until it has no work left (the
  // listener closes its sockets and timers to end them).
  void start();
  void join();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> ios_;
  std::vector<std::thread> threads_;
};

// A counter only its worker thread adds to (a plain load and store, no locked instruction);
// the scraper reads it. Registered as a part of a registry counter with add_part.
class local_counter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  alignas(64) std::atomic<std::uint64_t> v_{0};
};

// Adds `c` (kept alive by `owner`) to the registry's counter name{labels}.
template <typename Owner>
void add_part(core::metrics_registry& m, std::string name, std::string labels, std::string help,
              const std::shared_ptr<Owner>& owner, const local_counter& c) {
  m.add_counter_part(std::move(name), std::move(labels), std::move(help), [owner, &c] { return c.value(); });
}

}  // namespace talaia::collectors
