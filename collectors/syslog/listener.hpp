#pragma once
// Syslog over UDP (one datagram, one message) and TCP (LF framing) on the same address. Each
// message becomes an event (id, then the parser's fields) sent to the events topic keyed by the
// sender's address. TCP waits when the bus is full (backpressure); UDP drops and counts.
#include <boost/asio/io_context.hpp>

#include <memory>

#include "collectors/event_ids.hpp"
#include "core/bus.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"

namespace talaia::collectors::syslog {

struct listener_settings {
  core::endpoint at;
  std::size_t max_message = 65536;
  std::string topic = "talaia.events";
};

class listener {
 public:
  // Binds TCP and UDP now (port 0: TCP picks a free port, UDP takes the same), so start-up fails
  // with the address when it cannot.
  static core::result<std::unique_ptr<listener>> bind(boost::asio::io_context& io, listener_settings s,
                                                      core::producer& out, event_ids& ids,
                                                      core::metrics_registry& metrics);
  ~listener();
  void start();
  void stop();
  std::uint16_t port() const;

  struct impl;

 private:
  explicit listener(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
  std::shared_ptr<impl> impl_;
};

}  // namespace talaia::collectors::syslog
