#pragma once
// Syslog over UDP (RFC 5426: one datagram, one message, read with recvmmsg; an octet count in
// front is dropped) and TCP (RFC 6587: octet counting or LF framing, told apart per frame) on
// the same address, or TLS alone (RFC 5425, `tls` below). Each message becomes an event (id, then the
// parser's fields) sent to the events topic keyed by the sender's address. TCP waits when the bus
// is full (backpressure); UDP drops and counts. Senders outside `allowed_networks` are refused;
// a sender over its rate limit loses UDP datagrams (counted) and has its TCP connection read
// more slowly; connections beyond max_connections are closed at once, idle ones after
// idle_timeout; each connection reads at most read_budget bytes per turn of the io thread.
// Kernel receive-buffer drops of the UDP socket are counted from /proc/net/udp every second.
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
  core::syslog_options_config options;
  // RFC 5425: TLS over TCP only (no UDP), with options.tls_certificate / tls_private_key; when
  // options.tls_client_ca is set, clients must present a certificate it signed (mTLS).
  bool tls = false;
};

class listener {
 public:
  // Binds TCP and UDP now (port 0: TCP picks a free port, UDP takes the same), or TLS alone, so
  // start-up fails with the address (or the certificate file) when it cannot.
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
