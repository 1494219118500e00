#include "core/decimal.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace talaia::core {
namespace {

std::string ours(std::uint64_t v) {
  char buf[24];
  return std::string(buf, write_decimal(buf, v));
}

std::string reference(std::uint64_t v) {
  char buf[24];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// Every digit count and its edges (10^k - 1, 10^k, 10^k + 1), the largest value, and random values
// of every magnitude, against std::to_chars.
TEST(decimal, writes_what_to_chars_writes) {
  std::uint64_t power = 1;
  for (int k = 0; k <= 19; ++k, power *= 10)
    for (std::uint64_t v : {power - 1, power, power + 1}) EXPECT_EQ(ours(v), reference(v)) << v;
  EXPECT_EQ(ours(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    ASSERT_EQ(ours(v), reference(v)) << v;
  }
}

}  // namespace
}  // namespace talaia::core
