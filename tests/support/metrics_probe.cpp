#include "tests/support/metrics_probe.hpp"

#include <cstdlib>

#include "alerts/http_client.hpp"

namespace talaia::testing {

long long metric_sample(std::uint16_t port, const std::string& sample) {
  auto r = alerts::http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics", std::chrono::seconds(5));
  if (!r || r->status != 200) return -1;
  const auto at = r->body.find("\n" + sample + " ");  // a sample line, not its # HELP line
  if (at == std::string::npos) return -1;
  return std::strtoll(r->body.c_str() + at + sample.size() + 2, nullptr, 10);
}

}  // namespace talaia::testing
