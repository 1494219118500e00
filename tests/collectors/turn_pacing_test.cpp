// When a UDP reader lingers before its next turn, and when it waits for the socket's readiness.
#include <gtest/gtest.h>

#include "collectors/udp_reader.hpp"

namespace talaia::collectors {
namespace {

constexpr std::size_t full = 4 * udp_reader::batch;
constexpr bool from_linger = true, from_readiness = false;

// Datagrams arriving one by one: every turn that found some lingers, so that a wake-up reads
// many; an empty linger goes back to readiness, and the next trickle lingers again.
TEST(turn_pacing, spread_datagrams_are_read_after_lingers) {
  turn_pacing p;
  EXPECT_TRUE(p.linger_after(1, from_readiness, full));
  EXPECT_TRUE(p.linger_after(40, from_linger, full));
  EXPECT_TRUE(p.linger_after(40, from_linger, full));
  EXPECT_FALSE(p.linger_after(0, from_linger, full));  // quiet: readiness
  EXPECT_TRUE(p.linger_after(1, from_readiness, full));
  EXPECT_TRUE(p.linger_after(40, from_linger, full));  // a linger found some: lingering again
  EXPECT_TRUE(p.linger_after(12, from_readiness, full));
}

// Bursts: the first linger after a burst finds nothing; from then on a burst is read a turn,
// each turn woken by readiness, without a timer's wake-up between bursts.
TEST(turn_pacing, bursts_are_read_on_readiness_once_a_linger_found_nothing) {
  turn_pacing p;
  EXPECT_TRUE(p.linger_after(64, from_readiness, full));
  EXPECT_FALSE(p.linger_after(0, from_linger, full));
  for (int burst = 0; burst < 5; ++burst) EXPECT_FALSE(p.linger_after(64, from_readiness, full));
  EXPECT_FALSE(p.linger_after(turn_pacing::burst, from_readiness, full));
  // Fewer than a burst: datagrams trickle again, and lingering resumes.
  EXPECT_TRUE(p.linger_after(turn_pacing::burst - 1, from_readiness, full));
  EXPECT_TRUE(p.linger_after(30, from_linger, full));
  EXPECT_TRUE(p.linger_after(64, from_readiness, full));
}

// A turn that stopped full may have left datagrams in the socket: readiness says at once.
TEST(turn_pacing, a_full_turn_waits_for_readiness) {
  turn_pacing p;
  EXPECT_FALSE(p.linger_after(full, from_readiness, full));
  EXPECT_FALSE(p.linger_after(full, from_linger, full));
  EXPECT_TRUE(p.linger_after(full - 1, from_linger, full));
}

}  // namespace
}  // namespace talaia::collectors
