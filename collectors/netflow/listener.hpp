#pragma once
// NetFlow v5/v9 and IPFIX over UDP: each export packet's flow records become events on the
// events topic, keyed by exporter address. Packets that cannot be decoded are counted by reason;
// the bus being full drops and counts (UDP cannot wait). The listener owns its decoder (template
// cache, sampling rates, sequence state) and uses it only on its io_context's thread.
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
  // Where templates are kept across restarts (`netflow-templates-<port>.txt`); empty: nowhere.
  std::string state_dir;
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
