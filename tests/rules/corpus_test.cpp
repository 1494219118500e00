// Loads the public Sigma corpus: every rule must load or be refused with a diagnostic, never
// crash. Not every file passes yet (modifiers such as `re` and `cidr` come later).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "rules/loader.hpp"
#include "rules/rule_set.hpp"
#include "rules/scanner.hpp"

namespace talaia::rules {
namespace {

TEST(corpus, sigma_rules_load_without_crashing) {
  const char* env = std::getenv("TALAIA_SIGMA_CORPUS");
  std::string dir = env ? env : "/work/shared/corpus/sigma/rules";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " not found";

  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".yml") ++files;
  load_result r = load_paths({dir});
  std::size_t loaded = r.rules.size();
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  ASSERT_TRUE(set.ok()) << set.err().message;
  auto sc = scanner::make(set.value());
  ASSERT_TRUE(sc.ok()) << sc.err().message;

  core::event ev;
  ev.set_string("raw", "<38>Jan  1 00:00:00 host sshd[1]: Failed password for root from 10.0.0.1");
  std::vector<std::size_t> matched;
  sc->match(ev, matched);

  std::cout << "[ corpus   ] " << files << " files, " << loaded << " rules loaded, "
            << (*set)->rules().size() << " compiled, " << r.errors.size() << " load errors, "
            << errors.size() << " build errors\n";
  for (const diagnostic& d : r.errors) std::cout << "  " << to_string(d) << "\n";
  EXPECT_GT(loaded, 0u);
  EXPECT_EQ(sc->scan_errors(), 0u);
}

}  // namespace
}  // namespace talaia::rules
