#include "collectors/datagram_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace talaia::collectors {
namespace {

const auto local = boost::asio::ip::make_address("127.0.0.1");

TEST(datagram_queue, hands_over_every_datagram_in_order_with_sender_and_time) {
  datagram_queue q(1 << 20);
  ASSERT_TRUE(q.push("<13>first", local, 514, 10));
  ASSERT_TRUE(q.push("", boost::asio::ip::make_address("::1"), 514, 11));
  ASSERT_TRUE(q.push("<13>third", local, 514, 12));
  datagram_queue::batch b;
  ASSERT_TRUE(q.pop_all(b));
  ASSERT_EQ(b.datagrams.size(), 3u);
  EXPECT_EQ(b.bytes(b.datagrams[0]), "<13>first");
  EXPECT_EQ(b.bytes(b.datagrams[1]), "");
  EXPECT_EQ(b.datagrams[1].from.to_string(), "::1");
  EXPECT_EQ(b.datagrams[1].from_port, 514);
  EXPECT_EQ(b.bytes(b.datagrams[2]), "<13>third");
  EXPECT_EQ(b.datagrams[2].received_micros, 12);
}

TEST(datagram_queue, refuses_what_passes_the_bound_until_the_consumer_takes_it) {
  datagram_queue q(10);
  EXPECT_TRUE(q.push("12345", local, 514, 0));
  EXPECT_TRUE(q.push("12345", local, 514, 0));
  EXPECT_FALSE(q.push("1", local, 514, 0));  // 11 bytes would pass the bound
  datagram_queue::batch b;
  ASSERT_TRUE(q.pop_all(b));
  EXPECT_EQ(b.datagrams.size(), 2u);
  EXPECT_TRUE(q.push("1", local, 514, 0));  // room again
}

TEST(datagram_queue, close_lets_the_consumer_finish_what_is_queued_then_stop) {
  datagram_queue q(1 << 20);
  ASSERT_TRUE(q.push("last", local, 514, 0));
  q.close();
  EXPECT_FALSE(q.push("after close", local, 514, 0));
  datagram_queue::batch b;
  ASSERT_TRUE(q.pop_all(b));
  ASSERT_EQ(b.datagrams.size(), 1u);
  EXPECT_EQ(b.bytes(b.datagrams[0]), "last");
  EXPECT_FALSE(q.pop_all(b));
  EXPECT_TRUE(b.datagrams.empty());
}

// The two-step take (wait_ready, then try_pop_all) of a consumer that shares the queue with the
// reading thread: nothing is taken when more than `at_most` datagrams wait, and wait_ready tells
// a closed, empty queue from one with something left.
TEST(datagram_queue, try_pop_all_takes_everything_or_nothing) {
  datagram_queue q(1 << 20);
  datagram_queue::batch b;
  EXPECT_FALSE(q.try_pop_all(b));  // nothing queued
  for (const char* text : {"one", "two", "three"}) ASSERT_TRUE(q.push(text, local, 2055, 0));
  EXPECT_FALSE(q.try_pop_all(b, 2));  // three wait: a backlog, left for the other consumer
  EXPECT_TRUE(b.datagrams.empty());
  ASSERT_TRUE(q.wait_ready());
  ASSERT_TRUE(q.try_pop_all(b, 3));
  ASSERT_EQ(b.datagrams.size(), 3u);
  EXPECT_EQ(b.bytes(b.datagrams[0]), "one");
  EXPECT_EQ(b.bytes(b.datagrams[2]), "three");
  EXPECT_FALSE(q.try_pop_all(b));
  ASSERT_TRUE(q.push("last", local, 2055, 0));
  q.close();
  EXPECT_TRUE(q.wait_ready());  // closed, but something is left
  ASSERT_TRUE(q.try_pop_all(b));
  EXPECT_EQ(b.bytes(b.datagrams[0]), "last");
  EXPECT_FALSE(q.wait_ready());  // closed and empty: does not wait
}

// A reader and a consumer thread: everything pushed (and not refused) arrives once, in order,
// whatever the interleaving, and a consumer waiting on an empty queue is woken by close().
TEST(datagram_queue, a_reader_and_a_consumer_thread_lose_nothing) {
  datagram_queue q(4096);
  std::vector<std::string> got;
  std::thread consumer([&] {
    datagram_queue::batch b;
    while (q.pop_all(b))
      for (const auto& d : b.datagrams) got.emplace_back(b.bytes(d));
  });
  std::vector<std::string> accepted;
  // Until 20,000 were accepted (the queue holds about 200 at a time, so the consumer has taken
  // many batches meanwhile): a fixed number of pushes made this depend on how soon the consumer
  // thread was scheduled (CI once saw 993 accepted of 200,000 pushed).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int k = 0; accepted.size() < 20000 && std::chrono::steady_clock::now() < deadline;) {
    {  // as the reader does: a recvmmsg call's datagrams under one lock
      datagram_queue::locked batch(q);
      for (int end = k + 32; k < end; ++k) {
        std::string text = "<13>message " + std::to_string(k);
        if (batch.push(text, local, 514, k)) accepted.push_back(std::move(text));
      }
    }
    q.notify();
    std::this_thread::yield();
  }
  q.notify();
  q.close();
  consumer.join();
  EXPECT_EQ(got, accepted);
  EXPECT_GE(accepted.size(), 20000u);
}

}  // namespace
}  // namespace talaia::collectors
