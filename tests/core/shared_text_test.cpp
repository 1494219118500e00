#include "core/shared_text.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace talaia::core {
namespace {

std::string text_number(std::size_t i) { return std::string(i % 997, static_cast<char>('a' + i % 26)) + std::to_string(i); }

// Texts come back as written, in order, while the block grows many times over under them.
TEST(text_batch, texts_read_back_in_order_across_growth) {
  text_batch b;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < 300; ++i) {
    b.push(text_number(i));
    bytes += text_number(i).size();
  }
  EXPECT_GT(bytes, 40000u);  // ten times the first block
  ASSERT_EQ(b.size(), 300u);
  for (std::size_t i = 0; i < b.size(); ++i) ASSERT_EQ(b[i], text_number(i)) << i;
  b.push("");
  EXPECT_EQ(b[300], "");
}

// A writer that knows only a bound writes in place and commits what it wrote: the text is
// exactly that, and the next starts right after it.
TEST(text_batch, reserve_and_commit_keep_only_what_was_written) {
  text_batch b;
  b.push("first");
  char* p = b.reserve(10000);
  p[0] = '{', p[1] = '}';
  b.commit(p + 2);
  b.push("third");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[1], "{}");
  EXPECT_EQ(b[2], "third");
  EXPECT_EQ(b[1].data() + 2, b[2].data());
}

// Unshared, a cleared batch writes over its own block (no allocation a packet); once shared, the
// block belongs to its payloads, which keep their texts however the batch is used next.
TEST(text_batch, a_shared_block_is_left_to_its_payloads) {
  text_batch b;
  b.push("one");
  const char* first_block = b[0].data();
  b.clear();
  b.push("two");
  EXPECT_EQ(b[0].data(), first_block);  // reused

  std::vector<payload> kept;
  const auto block = b.share();
  kept.emplace_back(block, b[0]);
  b.clear();
  for (std::size_t i = 0; i < 50; ++i) b.push(text_number(i));
  EXPECT_NE(b[0].data(), first_block);
  EXPECT_EQ(kept[0], "two");
  b = text_batch();  // the batch gone: the payload still holds the block
  EXPECT_EQ(kept[0].view(), "two");
}

// A payload is its own string or a view into a shared block; either reads the same, and a copy
// of a view keeps the block alive after the original is gone.
TEST(payload, own_text_and_shared_view_read_alike) {
  const payload own = std::string("{\"kind\":\"flow\"}");
  std::optional<payload> copy;
  {
    text_batch b;
    b.push("x");
    b.push("{\"kind\":\"flow\"}");
    const payload viewed(b.share(), b[1]);
    EXPECT_EQ(viewed, own.view());
    EXPECT_EQ(viewed.size(), own.size());
    copy = viewed;
  }
  EXPECT_EQ(*copy, "{\"kind\":\"flow\"}");
  EXPECT_EQ(copy->str(), own.str());
  std::ostringstream printed;
  printed << *copy;
  EXPECT_EQ(printed.str(), "{\"kind\":\"flow\"}");
  EXPECT_TRUE(payload().empty());
}

}  // namespace
}  // namespace talaia::core
