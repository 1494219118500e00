#pragma once
// NetFlow v5/v9, IPFIX and sFlow v5 over UDP: each export packet's flow records become events
// on the events topic, keyed by exporter address. Packets that cannot be decoded are counted by
// reason; the bus being full drops and counts (UDP cannot wait).
//
// options.workers sockets share the port (SO_REUSEPORT), each with its own thread, io_context
// and decoder (template cache, sampling rates, sequence state), used only on that thread. The
// kernel sends all datagrams of one exporter socket (address and source port) to the same
// worker, so an exporter's templates and data meet in one decoder (see collectors/udp_workers.hpp).
// With one worker it runs on the io_context given to bind().
#include <boost/asio/io_context.hpp>

#include <memory>

#include "collectors/event_ids.hpp"
#include "core/bus.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"

namespace talaia::collectors::netflow {

struct listener_settings {
  core::endpoint at;
  std::string topic = "talaia.events";
  // Where templates are kept across restarts (`netflow-templates-<port>.txt`, and
  // `netflow-templates-<port>.<worker>.txt` for workers after the first); empty: nowhere.
  std::string state_dir;
  core::netflow_options_config options;  // workers, receive buffer, decoder limits
};

class listener {
 public:
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

}  // namespace talaia::collectors::netflow
