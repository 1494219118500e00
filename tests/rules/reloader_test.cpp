// Reload without restart, as an operator lives it: edit the rule folder, reload, and a broken
// edit never replaces the running rules.
#include "rules/reloader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "rules/scanner.hpp"

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

std::string rule_text(const std::string& title, const std::string& word) {
  return "title: " + title + "\nlogsource:\n    product: linux\ndetection:\n    keywords:\n        - '" + word +
         "'\n    condition: keywords\n";
}

class rules_reloader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("talaia-reloader-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("a.yml", rule_text("alpha", "segfault"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  // Titles the current set matches on a raw line.
  static std::vector<std::string> matches(const rule_reloader& r, const std::string& raw) {
    auto sc = scanner::make(r.current());
    std::vector<std::string> out;
    if (!sc) return out;
    core::event ev;
    ev.set_string("raw", raw);
    std::vector<std::size_t> hits;
    sc->match(ev, hits);
    for (std::size_t i : hits) out.push_back(r.current()->rules()[i].title);
    return out;
  }

  fs::path dir_;
};

TEST_F(rules_reloader, added_file_is_seen_and_swapped_in) {
  auto r = rule_reloader::make({dir_.string()}, {});
  ASSERT_TRUE(r.ok()) << r.err().message;
  rule_reloader& rl = **r;
  EXPECT_EQ(rl.generation(), 1u);
  EXPECT_FALSE(rl.changed_on_disk());
  EXPECT_EQ(matches(rl, "kernel: oom killer"), std::vector<std::string>{});

  write("b.yml", rule_text("beta", "oom killer"));
  EXPECT_TRUE(rl.changed_on_disk());
  reload_outcome o = rl.reload();
  EXPECT_TRUE(o.swapped);
  EXPECT_TRUE(o.errors.empty());
  EXPECT_EQ(o.rules, 2u);
  EXPECT_EQ(rl.generation(), 2u);
  EXPECT_FALSE(rl.changed_on_disk());
  EXPECT_EQ(matches(rl, "kernel: oom killer"), std::vector<std::string>{"beta"});

  fs::remove(dir_ / "b.yml");
  EXPECT_TRUE(rl.changed_on_disk());
  EXPECT_TRUE(rl.reload().swapped);
  EXPECT_EQ(matches(rl, "kernel: oom killer"), std::vector<std::string>{});
}

TEST_F(rules_reloader, broken_edit_is_rejected_whole_and_the_running_set_keeps_running) {
  auto r = rule_reloader::make({dir_.string()}, {});
  ASSERT_TRUE(r.ok());
  rule_reloader& rl = **r;
  write("b.yml", rule_text("beta", "oom killer"));
  write("c.yml", "title: broken\ndetection:\n    sel:\n        a|nope: x\n    condition: sel\n");
  EXPECT_TRUE(rl.changed_on_disk());
  reload_outcome o = rl.reload();
  EXPECT_FALSE(o.swapped);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0].path, (dir_ / "c.yml").string());
  EXPECT_EQ(o.errors[0].line, 4);
  EXPECT_EQ(o.rules, 1u);
  EXPECT_EQ(rl.generation(), 1u);
  // beta, although fine, is not running: the new set was rejected whole.
  EXPECT_EQ(matches(rl, "oom killer and segfault"), std::vector<std::string>{"alpha"});
  EXPECT_FALSE(rl.changed_on_disk());  // not retried until the folder changes again

  write("c.yml", rule_text("gamma", "panic"));
  EXPECT_TRUE(rl.changed_on_disk());
  o = rl.reload();
  EXPECT_TRUE(o.swapped);
  EXPECT_EQ(o.rules, 3u);
  EXPECT_EQ(matches(rl, "oom killer and segfault"), (std::vector<std::string>{"alpha", "beta"}));
}

TEST_F(rules_reloader, broken_rules_at_start_are_an_error) {
  write("c.yml", "title: broken\ndetection: {}\n");
  auto r = rule_reloader::make({dir_.string()}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("c.yml:2"), std::string::npos) << r.err().message;
}

TEST_F(rules_reloader, readers_keep_their_set_while_it_is_swapped) {
  auto r = rule_reloader::make({dir_.string()}, {});
  ASSERT_TRUE(r.ok());
  rule_reloader& rl = **r;
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> reads{0};
  std::thread reader([&] {
    while (!stop) {
      std::shared_ptr<const rule_set> s = rl.current();
      if (s && !s->rules().empty()) ++reads;
    }
  });
  for (int i = 0; i < 20; ++i) {
    write("b.yml", rule_text("beta", "word" + std::to_string(i) + std::string(static_cast<std::size_t>(i), 'x')));
    EXPECT_TRUE(rl.reload().swapped);
  }
  stop = true;
  reader.join();
  EXPECT_EQ(rl.generation(), 21u);
  EXPECT_GT(reads.load(), 0u);
}

}  // namespace
}  // namespace talaia::rules
