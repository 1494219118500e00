#include "storage/incident_store.hpp"

#include <gtest/gtest.h>

#include "tests/support/process.hpp"

namespace talaia::storage {
namespace {

namespace fs = std::filesystem;

core::incident make(const std::string& rule, std::int64_t first, std::int64_t last, std::uint64_t count) {
  core::incident inc;
  inc.rule = {rule, "title " + rule, "low", "a", {}};
  inc.first_seen = first;
  inc.last_seen = last;
  inc.event_count = count;
  inc.id = core::incident_id(rule, {}, first);
  return inc;
}

struct store_test : ::testing::Test {
  fs::path dir = testing::make_temp_dir("store");
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(store_test, lists_newest_activity_first_and_moves_an_updated_incident_up) {
  auto s = incident_store::open(dir.string());
  ASSERT_TRUE(s.ok()) << s.err().message;
  ASSERT_TRUE((*s)->upsert(make("a", 100, 100, 1), {}).ok());
  ASSERT_TRUE((*s)->upsert(make("b", 200, 200, 1), {}).ok());
  ASSERT_TRUE((*s)->upsert(make("c", 300, 300, 1), {}).ok());
  auto l = (*s)->list(10);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].rule.id, "c");
  EXPECT_EQ((*l)[2].rule.id, "a");
  ASSERT_TRUE((*s)->upsert(make("a", 100, 400, 2), {}).ok());
  l = (*s)->list(10);
  ASSERT_EQ(l->size(), 3u);  // moved, not duplicated
  EXPECT_EQ((*l)[0].rule.id, "a");
  EXPECT_EQ((*l)[0].event_count, 2u);
  EXPECT_EQ((*s)->list(2, 1)->at(0).rule.id, "c");  // limit and offset
}

TEST_F(store_test, redelivered_or_stale_updates_are_ignored) {
  auto s = incident_store::open(dir.string());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(*(*s)->upsert(make("a", 100, 300, 3), {}));
  EXPECT_FALSE(*(*s)->upsert(make("a", 100, 200, 2), {}));  // older state arrives late
  EXPECT_FALSE(*(*s)->upsert(make("a", 100, 300, 3), {}));  // the same state again
  auto got = (*s)->get(make("a", 100, 0, 0).id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->event_count, 3u);
  EXPECT_EQ((*got)->last_seen, 300);
}

TEST_F(store_test, a_new_incident_queues_one_webhook_per_url_and_an_update_none) {
  auto s = incident_store::open(dir.string());
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->upsert(make("a", 100, 100, 1), {"http://x/1", "http://x/2"}).ok());
  ASSERT_TRUE((*s)->upsert(make("a", 100, 150, 2), {"http://x/1", "http://x/2"}).ok());
  auto box = (*s)->outbox(10);
  ASSERT_TRUE(box.ok());
  ASSERT_EQ(box->size(), 2u);
  EXPECT_EQ((*box)[0].url, "http://x/1");
  EXPECT_EQ((*box)[1].url, "http://x/2");
  auto body = core::decode_incident((*box)[0].body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->event_count, 1u);  // the incident as it was when new
  ASSERT_TRUE((*s)->remove_outbox((*box)[0].key).ok());
  EXPECT_EQ((*s)->outbox(10)->size(), 1u);
}

TEST_F(store_test, everything_survives_a_reopen_and_the_outbox_sequence_continues) {
  {
    auto s = incident_store::open(dir.string());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->upsert(make("a", 100, 100, 1), {"http://x/1"}).ok());
    ASSERT_TRUE((*s)->put_state("a|", make("a", 100, 100, 1)).ok());
  }
  auto s = incident_store::open(dir.string());
  ASSERT_TRUE(s.ok()) << s.err().message;
  EXPECT_EQ((*s)->list(10)->size(), 1u);
  ASSERT_TRUE((*s)->upsert(make("b", 200, 200, 1), {"http://x/1"}).ok());
  auto box = (*s)->outbox(10);
  ASSERT_EQ(box->size(), 2u);
  EXPECT_EQ(core::decode_incident((*box)[0].body)->rule.id, "a");  // order kept across the restart
  EXPECT_EQ(core::decode_incident((*box)[1].body)->rule.id, "b");
  std::size_t states = 0;
  ASSERT_TRUE((*s)->for_each_state([&](const std::string& key, core::incident inc) {
    EXPECT_EQ(key, "a|");
    EXPECT_EQ(inc.rule.id, "a");
    ++states;
  }).ok());
  EXPECT_EQ(states, 1u);
  ASSERT_TRUE((*s)->delete_state("a|").ok());
}

TEST_F(store_test, partition_state_writes_records_and_offsets_together_and_replaces_one_partition_whole) {
  {
    auto s = incident_store::open(dir.string());
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->read_partition(0)->offset.has_value());
    ASSERT_TRUE((*s)->write_partitions({{0, 10, {{"i\x1f" "a", "A1"}, {"w\x1f" "b", "B1"}}}, {1, 4, {{"i\x1f" "c", "C"}}}}).ok());
    ASSERT_TRUE((*s)->write_partitions({{0, 12, {{"i\x1f" "a", "A2"}, {"w\x1f" "b", std::nullopt}}}}).ok());
  }
  auto s = incident_store::open(dir.string());  // reopened: what was written is there
  auto p0 = (*s)->read_partition(0);
  ASSERT_TRUE(p0.ok());
  EXPECT_EQ(p0->offset, 12);
  ASSERT_EQ(p0->records.size(), 1u);
  EXPECT_EQ(p0->records[0], (std::pair<std::string, std::string>("i\x1f" "a", "A2")));
  ASSERT_TRUE((*s)->replace_partition(0, 20, {{"w\x1f" "z", "Z"}}).ok());
  p0 = (*s)->read_partition(0);
  EXPECT_EQ(p0->offset, 20);
  ASSERT_EQ(p0->records.size(), 1u);
  EXPECT_EQ(p0->records[0].first, "w\x1f" "z");
  auto p1 = (*s)->read_partition(1);  // untouched by partition 0's replacement
  EXPECT_EQ(p1->offset, 4);
  EXPECT_EQ(p1->records.size(), 1u);
  ASSERT_TRUE((*s)->replace_partition(1, std::nullopt, {}).ok());
  EXPECT_FALSE((*s)->read_partition(1)->offset.has_value());
  EXPECT_TRUE((*s)->read_partition(1)->records.empty());
}

TEST_F(store_test, unopenable_directory_is_an_error_naming_it) {
  testing::write_file(dir / "file", "x");
  auto s = incident_store::open((dir / "file" / "sub").string());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find((dir / "file" / "sub").string()), std::string::npos);
}

}  // namespace
}  // namespace talaia::storage
