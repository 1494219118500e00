// libFuzzer target for the capture readers (classic pcap and pcapng) and payload recognition.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/capture/payload_kind.hpp"
#include "collectors/capture/pcap.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto datagrams = talaia::collectors::capture::read_pcap_udp(in);
  if (datagrams)
    for (const auto& d : *datagrams) (void)talaia::collectors::capture::recognise_payload(d.payload);
  (void)talaia::collectors::capture::recognise_payload(in);
  return 0;
}
