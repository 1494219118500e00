// libFuzzer target: a TCP byte stream through stream_framer in chunks chosen by the input.
// Checks: never throws, no frame longer than max_frame, an untruncated frame is a piece of the
// input, and the same frames whatever the chunking.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/syslog/stream_framer.hpp"

using namespace talaia::collectors::syslog;

namespace {

std::vector<std::string> frames_of(std::string_view stream, std::size_t chunk, std::size_t max_frame) {
  stream_framer framer(max_frame);
  std::vector<std::string> frames;
  auto on = [&](std::string_view f, bool cut) {
    if (f.size() > max_frame) std::abort();
    if (!cut && stream.find(f) == std::string_view::npos) std::abort();
    frames.emplace_back(f);
  };
  for (std::size_t i = 0; i < stream.size(); i += chunk) framer.feed(stream.substr(i, chunk), on);
  framer.finish(on);
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_frame = 16 + data[0] % 64;
  const std::size_t chunk = 1 + data[1] % 17;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (frames_of(stream, chunk, max_frame) != frames_of(stream, stream.size() + 1, max_frame)) std::abort();
  return 0;
}
