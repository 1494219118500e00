#include "alerts/webhook_dispatcher.hpp"

#include <gtest/gtest.h>

#include "tests/support/process.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace talaia::alerts {
namespace {

namespace fs = std::filesystem;

core::incident make(const std::string& rule) {
  core::incident inc;
  inc.rule = {rule, "t", "low", "a", {}};
  inc.first_seen = inc.last_seen = 1;
  inc.event_count = 1;
  inc.id = core::incident_id(rule, {}, 1);
  return inc;
}

TEST(webhook_dispatcher, delivers_in_order_retries_failures_and_empties_the_outbox) {
  auto dir = testing::make_temp_dir("hooks");
  testing::webhook_receiver receiver;
  receiver.set_status(500);
  {
    auto store = storage::incident_store::open(dir.string());
    ASSERT_TRUE(store.ok());
    core::metrics_registry metrics;
    webhook_dispatcher d(**store, metrics);
    ASSERT_TRUE((*store)->upsert(make("a"), {receiver.url()}).ok());
    ASSERT_TRUE((*store)->upsert(make("b"), {receiver.url()}).ok());
    d.start();
    d.notify();
    ASSERT_TRUE(testing::eventually([&] { return receiver.attempts() >= 1; }));
    EXPECT_EQ((*store)->outbox(10)->size(), 2u);  // nothing lost while the receiver fails
    receiver.set_status(204);
    ASSERT_TRUE(testing::eventually([&] { return receiver.bodies().size() == 2; }, std::chrono::seconds(15)));
    auto bodies = receiver.bodies();
    EXPECT_EQ(core::decode_incident(bodies[0])->rule.id, "a");
    EXPECT_EQ(core::decode_incident(bodies[1])->rule.id, "b");
    ASSERT_TRUE(testing::eventually([&] { return (*store)->outbox(10)->empty(); }));
    EXPECT_NE(metrics.render().find("talaia_webhooks_sent_total 2"), std::string::npos);
    d.stop();
  }
  fs::remove_all(dir);
}

TEST(webhook_dispatcher, entries_left_by_a_previous_run_are_sent_after_a_restart) {
  auto dir = testing::make_temp_dir("hooks2");
  testing::webhook_receiver receiver;
  {
    auto store = storage::incident_store::open(dir.string());
    ASSERT_TRUE((*store)->upsert(make("a"), {receiver.url()}).ok());
  }
  {
    auto store = storage::incident_store::open(dir.string());
    core::metrics_registry metrics;
    webhook_dispatcher d(**store, metrics);
    d.start();
    ASSERT_TRUE(testing::eventually([&] { return receiver.bodies().size() == 1; }));
    d.stop();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace talaia::alerts
