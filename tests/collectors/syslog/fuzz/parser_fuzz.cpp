// libFuzzer target: one syslog message through parse() (header, Cisco/Junos deviations and every
// body format), with and without a source zone and key=value extraction. Checks the contract:
// never throws, `raw` is the input, `kind` is syslog, timestamp is always there.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collectors/syslog/parser.hpp"
#include "collectors/syslog/time_zone.hpp"

using namespace talaia::collectors::syslog;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const time_zone zone = time_zone::fixed(3600, "+01:00");
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const std::uint8_t flags = size > 0 ? data[size - 1] : 0;
  parse_context ctx;
  ctx.received_micros = 1768478400000000;  // 2026-01-15T12:00:00Z
  ctx.peer = "192.0.2.1";
  ctx.default_year = (flags & 1) ? 2016 : 0;
  ctx.zone = (flags & 2) ? &zone : nullptr;
  ctx.key_value = (flags & 4) != 0;
  talaia::core::event e;
  parse(line, ctx, e);
  if (e.text("raw") != line || e.text("kind") != "syslog" || !e.has("timestamp")) std::abort();
  return 0;
}
