// Loads the public Sigma corpus: every rule must load or be refused with a diagnostic, never
// crash, and each file's verdict must be pySigma's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "rules/loader.hpp"
#include "rules/rule_set.hpp"
#include "rules/scanner.hpp"

namespace talaia::rules {
namespace {

// TALAIA_SIGMA_CORPUS overrides the corpus root (the folder holding MANIFEST.tsv and rules/).
std::string corpus_root() {
  const char* env = std::getenv("TALAIA_SIGMA_CORPUS");
  return env ? env : "/work/shared/corpus/sigma";
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string item;
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

TEST(corpus, sigma_rules_load_without_crashing) {
  std::string dir = corpus_root() + "/rules";
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

// MANIFEST.tsv records pySigma 1.5.0's verdict on every file: each one must load (and compile)
// cleanly where pySigma says OK, and be refused with at least one diagnostic where it says ERROR.
// Warnings (e.g. an `expand` placeholder with no value, a regex on the PCRE2 fallback) are fine.
TEST(corpus, every_file_agrees_with_pysigma) {
  std::ifstream manifest(corpus_root() + "/MANIFEST.tsv");
  if (!manifest) GTEST_SKIP() << corpus_root() << "/MANIFEST.tsv not found";
  std::string line;
  std::getline(manifest, line);  // header: path kind group logsource match modifiers pysigma ...
  std::size_t accepted = 0, refused = 0, fallback_warnings = 0, other_warnings = 0;
  while (std::getline(manifest, line)) {
    std::vector<std::string> col = split(line, '\t');
    if (col.size() < 7) continue;
    const std::string& path = col[0];
    const std::string& verdict = col[6];
    // "pySigma OK [rule,corr:event_count]": detection rules load, correlation documents are checked.
    bool ok = verdict.rfind("pySigma OK [", 0) == 0 && verdict.back() == ']';
    bool error = verdict.rfind("pySigma ERROR", 0) == 0;
    if (!ok && !error) continue;  // raw log samples and regression metadata
    std::size_t expected_rules = 0;
    if (ok)
      for (const std::string& item : split(verdict.substr(12, verdict.size() - 13), ','))
        expected_rules += item == "rule" ? 1 : 0;

    SCOPED_TRACE(path + " (" + verdict + ")");
    load_result r = load_paths({corpus_root() + "/" + path});
    std::vector<diagnostic> errors = r.errors;
    other_warnings += r.warnings.size();
    std::size_t loaded = r.rules.size();
    auto set = rule_set::build(std::move(r.rules), errors);
    ASSERT_TRUE(set.ok()) << set.err().message;
    fallback_warnings += (*set)->warnings().size();
    if (ok) {
      for (const diagnostic& d : errors) ADD_FAILURE() << to_string(d);
      EXPECT_EQ(loaded, expected_rules);
      EXPECT_EQ((*set)->rules().size(), expected_rules);
      ++accepted;
    } else {
      EXPECT_FALSE(errors.empty());
      EXPECT_TRUE((*set)->rules().empty());
      ++refused;
    }
  }
  std::cout << "[ corpus   ] agrees with pySigma on " << accepted << " accepted and " << refused
            << " refused files; " << fallback_warnings << " regex values on the PCRE2 fallback, "
            << other_warnings << " other warnings\n";
  EXPECT_EQ(accepted + refused, 189u);  // every rule file of the MANIFEST
}

}  // namespace
}  // namespace talaia::rules
