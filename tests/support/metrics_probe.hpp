#pragma once
// Reading a running talaia's /metrics from a test.
#include <cstdint>
#include <string>

namespace talaia::testing {

// The value of one sample of http://127.0.0.1:PORT/metrics (name with its labels, as rendered),
// or -1 when the endpoint does not answer or has no such sample.
long long metric_sample(std::uint16_t port, const std::string& sample);

}  // namespace talaia::testing
