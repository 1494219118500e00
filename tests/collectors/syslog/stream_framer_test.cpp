// RFC 6587 framing told apart per frame: octet counting and LF, split at every byte boundary.
#include "collectors/syslog/stream_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace talaia::collectors::syslog {
namespace {

struct frame {
  std::string text;
  bool truncated;
  bool operator==(const frame&) const = default;
};

std::ostream& operator<<(std::ostream& os, const frame& f) { return os << '"' << f.text << '"' << (f.truncated ? " (cut)" : ""); }

std::vector<frame> split(std::string_view input, std::size_t chunk, std::size_t max_frame = 65536) {
  stream_framer framer(max_frame);
  std::vector<frame> frames;
  auto on = [&](std::string_view f, bool cut) { frames.push_back({std::string(f), cut}); };
  for (std::size_t i = 0; i < input.size(); i += chunk) framer.feed(input.substr(i, chunk), on);
  framer.finish(on);
  return frames;
}

// Every chunk size gives the same frames.
void expect_frames(std::string_view input, const std::vector<frame>& expected, std::size_t max_frame = 65536) {
  for (std::size_t chunk = 1; chunk <= input.size() + 1; ++chunk)
    ASSERT_EQ(split(input, chunk, max_frame), expected) << "chunk " << chunk;
}

TEST(syslog_stream_framer, octet_counting_back_to_back) {
  // go-syslog's vectors: MSG-LEN counts octets (ø is two), no separator between frames.
  expect_frames("23 <1>1 - - - - - - hellø", {{"<1>1 - - - - - - hellø", false}});
  expect_frames("48 <1>1 2003-10-11T22:14:15.003Z host.local - - - -25 <3>1 - host.local - - - -38 <2>1 - host.local su - - - κόσμε",
                {{"<1>1 2003-10-11T22:14:15.003Z host.local - - - -", false},
                 {"<3>1 - host.local - - - -", false},
                 {"<2>1 - host.local su - - - κόσμε", false}});
}

TEST(syslog_stream_framer, lf_frames_with_crlf_blank_lines_and_asa_spaces) {
  expect_frames("<13>a\n<13>b\r\n\n\n <13>c\n <13>d", {{"<13>a", false}, {"<13>b", false}, {"<13>c", false}, {"<13>d", false}});
}

TEST(syslog_stream_framer, framing_told_apart_per_frame) {
  expect_frames("<13>lf one\n11 <13>counted<13>lf two\n2018 Apr 20 no pri\n",
                {{"<13>lf one", false}, {"<13>counted", false}, {"<13>lf two", false}, {"2018 Apr 20 no pri", false}});
}

TEST(syslog_stream_framer, declared_length_over_the_limit_keeps_in_step) {
  const std::string big(100, 'x');
  const std::string input = "104 <1>" + big + "\n" + "5 <2>ok";
  // 104 = 3 + 100 + 1: the LF belongs to the counted frame; the next frame is read in step.
  expect_frames(input, {{("<1>" + big).substr(0, 16), true}, {"<2>ok", false}}, 16);
}

TEST(syslog_stream_framer, long_lf_frame_is_cut_once) {
  const std::string input = "<13>" + std::string(50, 'y') + "\n<13>next\n";
  expect_frames(input, {{("<13>" + std::string(50, 'y')).substr(0, 20), true}, {"<13>next", false}}, 20);
}

TEST(syslog_stream_framer, end_of_stream_keeps_partial_frames) {
  expect_frames("<13>no newline at the end", {{"<13>no newline at the end", false}});
  expect_frames("30 <13>only part", {{"<13>only part", false}});
}

TEST(syslog_stream_framer, counts_each_framing) {
  stream_framer framer;
  int n = 0;
  framer.feed("4 <1>a<1>b\n4 <1>c", [&](std::string_view, bool) { ++n; });
  EXPECT_EQ(n, 3);
  EXPECT_EQ(framer.octet_counted_frames(), 2u);
  EXPECT_EQ(framer.lf_frames(), 1u);
}

}  // namespace
}  // namespace talaia::collectors::syslog
