#include "core/memory_bus.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "core/stage_loop.hpp"

namespace talaia::core {
namespace {

TEST(memory_bus, full_queue_refuses_try_send_and_send_waits_for_room) {
  memory_bus bus(2);
  auto p = bus.make_producer();
  auto c = bus.make_consumer("t");
  EXPECT_TRUE(p->try_send("t", "k", "1"));
  EXPECT_TRUE(p->try_send("t", "k", "2"));
  EXPECT_FALSE(p->try_send("t", "k", "3"));  // a UDP listener counts this as a drop
  std::atomic<bool> sent{false};
  std::thread t([&] {
    EXPECT_TRUE(p->send("t", "k", "3").ok());
    sent = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(sent);  // waiting: backpressure
  EXPECT_EQ(c->poll(std::chrono::milliseconds(100))->value, "1");
  t.join();
  EXPECT_TRUE(sent);
  EXPECT_EQ(c->poll(std::chrono::milliseconds(100))->value, "2");
  EXPECT_EQ(c->poll(std::chrono::milliseconds(100))->value, "3");
}

text_batch batch_of(std::initializer_list<std::string_view> texts) {
  text_batch b;
  for (std::string_view t : texts) b.push(t);
  return b;
}

// A UDP listener hands over a packet's records at once: as many as fit are taken, in order.
TEST(memory_bus, try_send_all_takes_what_fits_in_order) {
  memory_bus bus(3);
  auto p = bus.make_producer();
  auto c = bus.make_consumer("t");
  EXPECT_TRUE(p->try_send("t", "k", "0"));
  text_batch values = batch_of({"1", "2", "3", "4"});
  EXPECT_EQ(p->try_send_all("t", "exporter", values), 2u);
  for (const char* expected : {"0", "1", "2"}) {
    const auto m = c->poll(std::chrono::milliseconds(100));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->value, expected);
  }
  EXPECT_FALSE(c->poll(std::chrono::milliseconds(10)));  // "3" and "4" were refused
  text_batch more = batch_of({"5"});
  EXPECT_EQ(p->try_send_all("t", "exporter", more), 1u);
  EXPECT_EQ(c->poll(std::chrono::milliseconds(100))->key, "exporter");
  bus.close("t");
  text_batch late = batch_of({"6"});
  EXPECT_EQ(p->try_send_all("t", "exporter", late), 0u);
}

// The messages of a batch view its block: they keep their texts while the producer clears the
// batch and writes the next packet's into it, and after the producer is gone.
TEST(memory_bus, messages_of_a_batch_outlive_the_batch_and_its_next_use) {
  memory_bus bus(100);
  auto p = bus.make_producer();
  auto c = bus.make_consumer("t");
  text_batch records;
  for (int packet = 0; packet < 3; ++packet) {
    records.clear();
    for (int i = 0; i < 5; ++i) records.push(R"({"packet":)" + std::to_string(packet) + R"(,"record":)" + std::to_string(i) + "}");
    ASSERT_EQ(p->try_send_all("t", "exporter", records), 5u);
  }
  records = text_batch();
  p.reset();
  std::vector<message> got;
  ASSERT_EQ(c->poll_batch(got, 100, std::chrono::milliseconds(100)), 15u);
  for (int n = 0; n < 15; ++n)
    EXPECT_EQ(got[static_cast<std::size_t>(n)].value, R"({"packet":)" + std::to_string(n / 5) + R"(,"record":)" + std::to_string(n % 5) + "}");
}

TEST(memory_bus, close_lets_the_consumer_drain_then_finish) {
  memory_bus bus(10);
  auto p = bus.make_producer();
  auto c = bus.make_consumer("t");
  ASSERT_TRUE(p->send("t", "", "a").ok());
  bus.close("t");
  EXPECT_FALSE(p->send("t", "", "late").ok());
  EXPECT_FALSE(c->finished());
  EXPECT_EQ(c->poll(std::chrono::milliseconds(10))->value, "a");
  EXPECT_TRUE(c->finished());
}

TEST(memory_bus, batched_hand_over_delivers_everything_in_order_under_backpressure) {
  // Two producer threads on a small queue (both sides wait and wake often), one consumer.
  memory_bus bus(8);
  auto p = bus.make_producer();
  auto c = bus.make_consumer("t");
  constexpr int per_producer = 20000;
  auto produce = [&](const std::string& who) {
    for (int i = 0; i < per_producer; ++i) ASSERT_TRUE(p->send("t", who, std::to_string(i)).ok());
  };
  std::thread a(produce, "a"), b(produce, "b");
  std::map<std::string, int> next{{"a", 0}, {"b", 0}};
  int received = 0;
  while (received < 2 * per_producer) {
    auto m = c->poll(std::chrono::milliseconds(1000));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->value, std::to_string(next[m->key]++));  // each producer's order kept
    ++received;
  }
  a.join();
  b.join();
  bus.close("t");
  EXPECT_FALSE(c->poll(std::chrono::milliseconds(10)).has_value());
  EXPECT_TRUE(c->finished());
}

TEST(memory_bus, a_lone_message_waits_at_most_the_linger_and_a_burst_comes_in_one_batch) {
  bounded_queue q(1000);
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the consumer is waiting by then
    q.push(message{"t", "k", "lone"}, true);
  });
  std::vector<message> out;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(q.pop_batch(out, 256, std::chrono::seconds(5)), 1u);
  const auto waited = std::chrono::steady_clock::now() - start;
  producer.join();
  EXPECT_EQ(out.front().value, "lone");
  EXPECT_LT(waited, std::chrono::seconds(1));  // 50 ms, the linger (2 ms), and a slow machine's slack
  // Messages already queued are taken at once, as many as asked for.
  for (int i = 0; i < 300; ++i) q.push(message{"t", "k", std::to_string(i)}, true);
  out.clear();
  EXPECT_EQ(q.pop_batch(out, 256, std::chrono::seconds(5)), 256u);
  EXPECT_EQ(out.back().value, "255");
  // The rest, fewer than asked for, into an empty batch: taken whole, in order.
  out.clear();
  EXPECT_EQ(q.pop_batch(out, 256, std::chrono::seconds(5)), 44u);
  ASSERT_EQ(out.size(), 44u);
  for (int i = 0; i < 44; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)].value, std::to_string(256 + i));
  EXPECT_EQ(q.depth(), 0u);
  q.push(message{"t", "k", "after"}, true);  // the queue still works with the buffer it got back
  out.clear();
  EXPECT_EQ(q.pop_batch(out, 256, std::chrono::seconds(5)), 1u);
  EXPECT_EQ(out.front().value, "after");
}

// The queue's vector and its taken front: any mix of pushes, refusals when full and takes of any
// size (into empty and non-empty batches) hands every message over once, in order.
TEST(memory_bus, random_pushes_and_takes_keep_every_message_in_order) {
  std::mt19937 rng(11);
  bounded_queue q(300);
  std::size_t pushed = 0, taken = 0;
  std::vector<message> out;
  for (int round = 0; round < 5000; ++round) {
    const std::size_t pushes = rng() % 200;
    for (std::size_t i = 0; i < pushes; ++i) {
      const std::size_t depth = q.depth();
      const bool accepted = q.push(message{"t", "k", std::to_string(pushed)}, false);
      ASSERT_EQ(accepted, depth < 300) << "at depth " << depth;
      if (!accepted) break;
      ++pushed;
    }
    ASSERT_EQ(q.depth(), pushed - taken);
    if (rng() % 2 == 0) out.clear();
    const std::size_t before = out.size();
    const std::size_t n = q.pop_batch(out, 1 + rng() % 400, std::chrono::milliseconds(0));
    ASSERT_EQ(out.size(), before + n);
    for (std::size_t i = before; i < out.size(); ++i) ASSERT_EQ(out[i].value, std::to_string(taken++));
  }
  EXPECT_GT(taken, 100000u);
}

TEST(memory_bus, a_new_bus_never_sees_an_earlier_bus_queue) {
  for (int round = 0; round < 3; ++round) {  // buses at the same address, one after another
    auto bus = std::make_unique<memory_bus>(4);
    auto p = bus->make_producer();
    auto c = bus->make_consumer("t");
    ASSERT_TRUE(p->send("t", "", std::to_string(round)).ok());
    EXPECT_EQ(bus->depth("t"), 1u);
    EXPECT_EQ(c->poll(std::chrono::milliseconds(10))->value, std::to_string(round));
  }
}

// poll and poll_batch mixed at random, with batches of any size, while a producer thread
// sends: every message once, in order (poll_batch serves what poll left in the consumer first).
TEST(memory_bus, poll_and_poll_batch_mixed_keep_every_message_in_order) {
  memory_bus bus(300);
  auto p = bus.make_producer();
  auto c = bus.make_consumer("t");
  constexpr int total = 50'000;
  std::thread sender([&] {
    for (int i = 0; i < total; ++i) ASSERT_TRUE(p->send("t", "k", std::to_string(i)).ok());
    bus.close("t");
  });
  std::mt19937 rng(5);
  std::vector<message> batch;
  int next = 0;
  while (!c->finished()) {
    if (rng() % 3 == 0) {
      if (auto m = c->poll(std::chrono::milliseconds(5))) {
        ASSERT_EQ(m->value, std::to_string(next++));
      }
      continue;
    }
    batch.assign(rng() % 3, message{"t", "", "earlier"});  // appended to, never replaced
    const std::size_t before = batch.size(), max = 1 + rng() % 2000;
    const std::size_t n = c->poll_batch(batch, max, std::chrono::milliseconds(5));
    ASSERT_LE(n, max);
    ASSERT_EQ(batch.size(), before + n);
    for (std::size_t i = before; i < batch.size(); ++i) ASSERT_EQ(batch[i].value, std::to_string(next++));
  }
  sender.join();
  EXPECT_EQ(next, total);
}

// The interface's own poll_batch (a Kafka consumer's): waits for the first message only.
TEST(consumer, the_default_poll_batch_takes_what_poll_gives_up_to_max) {
  struct scripted final : consumer {
    std::vector<std::chrono::milliseconds> timeouts;
    int left = 5;
    std::optional<message> poll(std::chrono::milliseconds timeout) override {
      timeouts.push_back(timeout);
      if (left == 0) return std::nullopt;
      return message{"t", "", std::to_string(left--), 0, 5 - left};
    }
    void commit(const message&) override {}
    bool finished() const override { return false; }
  } c;
  std::vector<message> out;
  EXPECT_EQ(c.poll_batch(out, 3, std::chrono::milliseconds(70)), 3u);
  EXPECT_EQ(c.timeouts, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(70), std::chrono::milliseconds(0),
                                                                std::chrono::milliseconds(0)}));
  EXPECT_EQ(c.poll_batch(out, 10, std::chrono::milliseconds(70)), 2u);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out.back().value, "1");
}

// A stage commits, per partition of each batch, its last message, after handling the batch and
// flushing its output.
TEST(stage_loop, commits_the_last_message_of_each_partition_after_the_flush) {
  struct recording final : consumer {
    std::vector<message> script;
    std::size_t at = 0;
    std::vector<std::string> log;
    std::optional<message> poll(std::chrono::milliseconds) override {
      if (at == script.size()) return std::nullopt;
      return script[at++];
    }
    void commit(const message& m) override {
      log.push_back("commit " + m.topic + "/" + std::to_string(m.partition) + "@" + std::to_string(m.offset));
    }
    bool finished() const override { return at == script.size(); }
  } in;
  // Partitions 0 and 1 of "a" interleaved, and partition 0 of "b".
  const std::pair<std::string, int> order[] = {{"a", 0}, {"a", 0}, {"a", 1}, {"a", 0}, {"b", 0}, {"a", 1}, {"a", 1}};
  std::map<std::pair<std::string, int>, std::int64_t> offsets;
  for (const auto& [topic, partition] : order)
    in.script.push_back(message{topic, "", "x", partition, offsets[{topic, partition}]++});
  struct flushing final : producer {
    std::vector<std::string>* log;
    result<void> send(std::string_view, std::string, std::string) override { return {}; }
    bool try_send(std::string_view, std::string, std::string) override { return true; }
    result<void> flush(std::chrono::milliseconds) override {
      log->push_back("flush");
      return {};
    }
  } out;
  out.log = &in.log;
  std::atomic<bool> stop{false};
  int handled = 0;
  ASSERT_TRUE(run_stage_loop(in, &out, [&](const message&) -> result<void> {
                in.log.push_back("handle");
                ++handled;
                return {};
              }, stop).ok());
  EXPECT_EQ(handled, 7);
  // One batch: seven handled, one flush, then a commit per partition at its last offset.
  std::vector<std::string> expected(7, "handle");
  expected.insert(expected.end(), {"flush", "commit a/0@2", "commit a/1@2", "commit b/0@0", "flush"});
  EXPECT_EQ(in.log, expected);
}

TEST(stage_loop, handles_everything_then_returns_when_input_finishes) {
  memory_bus bus(100);
  auto p = bus.make_producer();
  auto in = bus.make_consumer("in");
  auto out = bus.make_consumer("out");
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(p->send("in", "", std::to_string(i)).ok());
  bus.close("in");
  std::atomic<bool> stop{false};
  auto r = run_stage_loop(*in, p.get(), [&](const message& m) { return p->send("out", "", m.value.str() + "!"); }, stop);
  EXPECT_TRUE(r.ok());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(out->poll(std::chrono::milliseconds(10))->value, std::to_string(i) + "!");
}

TEST(stage_loop, a_failing_message_stops_the_loop_with_its_error) {
  memory_bus bus(100);
  auto p = bus.make_producer();
  auto in = bus.make_consumer("in");
  ASSERT_TRUE(p->send("in", "", "bad").ok());
  std::atomic<bool> stop{false};
  auto r = run_stage_loop(*in, p.get(), [](const message&) -> result<void> { return make_error("store full"); }, stop);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "store full");
}

}  // namespace
}  // namespace talaia::core
