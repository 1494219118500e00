#include "collectors/syslog/lf_framer.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace talaia::collectors::syslog {
namespace {

struct frame {
  std::string bytes;
  bool truncated = false;
  bool operator==(const frame&) const = default;
};

void PrintTo(const frame& f, std::ostream* os) {
  *os << '"' << f.bytes << '"' << (f.truncated ? " (truncated)" : "");
}

// Collects the frames a framer delivers.
struct collector {
  std::vector<frame> frames;
  auto sink() {
    return [this](std::string_view bytes, bool truncated) {
      frames.push_back(frame{std::string(bytes), truncated});
    };
  }
};

std::vector<frame> frames_of(std::initializer_list<std::string_view> chunks,
                             std::size_t max_frame = 65536) {
  lf_framer framer(max_frame);
  collector c;
  for (const std::string_view chunk : chunks) framer.feed(chunk, c.sink());
  framer.finish(c.sink());
  return c.frames;
}

using frames = std::vector<frame>;

TEST(lf_framer, several_frames_in_one_feed) {
  lf_framer framer;
  collector c;
  framer.feed("<13>one\n<13>two\n<13>three\n", c.sink());
  EXPECT_EQ(c.frames, (frames{{"<13>one"}, {"<13>two"}, {"<13>three"}}));
  EXPECT_EQ(framer.pending(), 0u);
}

TEST(lf_framer, frame_split_across_feeds) {
  lf_framer framer;
  collector c;
  framer.feed("<13>on", c.sink());
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(framer.pending(), 6u);
  framer.feed("e\n<13>tw", c.sink());
  EXPECT_EQ(c.frames, (frames{{"<13>one"}}));
  framer.feed("o", c.sink());
  framer.feed("\n", c.sink());
  EXPECT_EQ(c.frames, (frames{{"<13>one"}, {"<13>two"}}));
}

TEST(lf_framer, byte_by_byte) {
  const std::string stream = "<13>a b c\r\n<14>d\n\n<15>e";
  lf_framer framer;
  collector c;
  for (const char ch : stream) framer.feed(std::string_view(&ch, 1), c.sink());
  framer.finish(c.sink());
  EXPECT_EQ(c.frames, (frames{{"<13>a b c"}, {"<14>d"}, {"<15>e"}}));
}

TEST(lf_framer, strips_one_trailing_cr) {
  EXPECT_EQ(frames_of({"<13>crlf\r\n<13>cr\r", "\n<13>two crs\r\r\n<13>inner\rcr\n"}),
            (frames{{"<13>crlf"}, {"<13>cr"}, {"<13>two crs\r"}, {"<13>inner\rcr"}}));
}

TEST(lf_framer, skips_empty_frames) {
  EXPECT_EQ(frames_of({"\n\r\n<13>x\n\n\n"}), (frames{{"<13>x"}}));
  EXPECT_TRUE(frames_of({"", "\n", "\r\n"}).empty());
}

TEST(lf_framer, finish_delivers_the_final_unterminated_frame) {
  lf_framer framer;
  collector c;
  framer.feed("<13>done\n<13>no newline", c.sink());
  EXPECT_EQ(c.frames, (frames{{"<13>done"}}));
  framer.finish(c.sink());
  EXPECT_EQ(c.frames, (frames{{"<13>done"}, {"<13>no newline"}}));
  EXPECT_EQ(framer.pending(), 0u);
  framer.finish(c.sink());  // nothing more
  EXPECT_EQ(c.frames.size(), 2u);
}

TEST(lf_framer, oversized_frame_is_truncated_flagged_and_the_next_frame_intact) {
  // In one feed.
  EXPECT_EQ(frames_of({"0123456789ABCDEF\n<13>next\n"}, 10),
            (frames{{"0123456789", true}, {"<13>next"}}));
  // Split over feeds, with the excess arriving later.
  EXPECT_EQ(frames_of({"01234", "56789AB", "CDEF", "GHI\n<13>ne", "xt\n"}, 10),
            (frames{{"0123456789", true}, {"<13>next"}}));
  // Delivered as soon as the limit is passed, before its LF arrives.
  lf_framer framer(10);
  collector c;
  framer.feed("0123456789ABC", c.sink());
  EXPECT_EQ(c.frames, (frames{{"0123456789", true}}));
  EXPECT_EQ(framer.pending(), 0u);
  framer.feed("more junk without a newline", c.sink());
  framer.feed("still junk\n<13>ok\n", c.sink());
  EXPECT_EQ(c.frames, (frames{{"0123456789", true}, {"<13>ok"}}));
}

TEST(lf_framer, frame_of_exactly_max_size_is_not_truncated) {
  EXPECT_EQ(frames_of({"0123456789\n"}, 10), (frames{{"0123456789"}}));
  EXPECT_EQ(frames_of({"0123456789\r\n"}, 10), (frames{{"0123456789"}}));
  EXPECT_EQ(frames_of({"0123456789\r", "\n"}, 10), (frames{{"0123456789"}}));
  EXPECT_EQ(frames_of({"01234", "56789", "\r", "\n"}, 10), (frames{{"0123456789"}}));
  EXPECT_EQ(frames_of({"0123456789"}, 10), (frames{{"0123456789"}}));    // at finish
  EXPECT_EQ(frames_of({"0123456789\r"}, 10), (frames{{"0123456789"}}));  // at finish
  EXPECT_EQ(frames_of({"0123456789A\n"}, 10), (frames{{"0123456789", true}}));
  EXPECT_EQ(frames_of({"0123456789\r", "A\n"}, 10), (frames{{"0123456789", true}}));
  EXPECT_EQ(frames_of({"0123456789\r", "\rA\n"}, 10), (frames{{"0123456789", true}}));
  EXPECT_EQ(frames_of({"01234", "56789\r\r\n"}, 10), (frames{{"0123456789", true}}));
}

TEST(lf_framer, truncated_frame_at_end_of_stream) {
  EXPECT_EQ(frames_of({"0123456789ABCDEF"}, 10), (frames{{"0123456789", true}}));
}

TEST(lf_framer, memory_stays_bounded) {
  lf_framer framer(100);
  collector c;
  const std::string junk(1000, 'x');
  for (int i = 0; i < 100; ++i) {
    framer.feed(junk, c.sink());
    EXPECT_LE(framer.pending(), 101u);
  }
  framer.feed("\n<13>after\n", c.sink());
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_TRUE(c.frames[0].truncated);
  EXPECT_EQ(c.frames[0].bytes.size(), 100u);
  EXPECT_EQ(c.frames[1], (frame{"<13>after", false}));
}

TEST(lf_framer, keeps_binary_bytes) {
  const std::string with_nul = std::string("<13>a") + '\0' + "b\xFF";
  EXPECT_EQ(frames_of({with_nul + "\n"}), (frames{{with_nul}}));
}

}  // namespace
}  // namespace talaia::collectors::syslog
