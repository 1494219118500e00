#include "rules/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rules/rule_set.hpp"

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

const std::string data_dir = TALAIA_RULES_TEST_DATA;

// The single diagnostic of loading `yaml`; fails the test when there is not exactly one.
diagnostic only_error(std::string_view yaml) {
  load_result r = load_text(yaml, "inline.yml");
  EXPECT_EQ(r.errors.size(), 1u);
  if (r.errors.size() != 1)
    for (const diagnostic& d : r.errors) ADD_FAILURE() << "got " << to_string(d);
  if (r.errors.empty()) return {};
  EXPECT_TRUE(r.rules.empty());
  return r.errors.front();
}

TEST(loader, reads_metadata_and_lines) {
  load_result r = load_text(R"(# leading comment
title: SSH brute force
id: 0e95725d-7320-415d-80f7-004da920fc11
status: test
description: Many failed logins
author: Someone, Someone Else
references:
    - https://example.org/a
    - https://example.org/b
tags:
    - attack.t1110
logsource:
    product: linux
    service: sshd
    category: auth
detection:
    selection:
        msg|contains: 'Failed password'
        program: sshd
    condition: selection
level: high
falsepositives:
    - Admins
)",
                            "rules/ssh.yml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  ASSERT_EQ(r.rules.size(), 1u);
  const rule& x = r.rules.front();
  EXPECT_EQ(x.title, "SSH brute force");
  EXPECT_EQ(x.id, "0e95725d-7320-415d-80f7-004da920fc11");
  EXPECT_EQ(x.status, "test");
  EXPECT_EQ(x.description, "Many failed logins");
  EXPECT_EQ(x.author, "Someone, Someone Else");
  EXPECT_EQ(x.level, "high");
  EXPECT_EQ(x.path, "rules/ssh.yml");
  EXPECT_EQ(x.line, 2);
  EXPECT_EQ(x.references, (std::vector<std::string>{"https://example.org/a", "https://example.org/b"}));
  EXPECT_EQ(x.tags, (std::vector<std::string>{"attack.t1110"}));
  EXPECT_EQ(x.logsource.product, "linux");
  EXPECT_EQ(x.logsource.service, "sshd");
  EXPECT_EQ(x.logsource.category, "auth");
  ASSERT_EQ(x.detection.searches.size(), 1u);
  const search& s = x.detection.searches.front();
  EXPECT_EQ(s.name, "selection");
  EXPECT_EQ(s.line, 17);
  ASSERT_EQ(s.maps.size(), 1u);
  ASSERT_EQ(s.maps[0].tests.size(), 2u);
  const field_test& t = s.maps[0].tests[0];
  EXPECT_EQ(t.field, "msg");
  EXPECT_EQ(t.kind, match_kind::contains);
  EXPECT_FALSE(t.all);
  EXPECT_EQ(t.line, 18);
  ASSERT_EQ(t.values.size(), 1u);
  EXPECT_EQ(t.values[0].text, "Failed password");
  EXPECT_EQ(s.maps[0].tests[1].kind, match_kind::equals);
}

TEST(loader, search_identifier_shapes) {
  load_result r = load_text(R"(title: shapes
detection:
    a_map:
        f1: v
        f2|startswith|all: [x, y]
        f3|endswith: 7
        f4: null
        f5: ['', null]
    list_of_maps:
        - f1: a
        - f2: b
    keywords:
        - 'one'
        - 2
    single_keyword: 'three'
    keyword_modifier:
        '|all':
            - 'a'
            - 'b'
    condition: 1 of them
)",
                            "shapes.yml");
  ASSERT_TRUE(r.errors.empty()) << to_string(r.errors.front());
  ASSERT_EQ(r.rules.size(), 1u);
  const auto& ss = r.rules[0].detection.searches;
  ASSERT_EQ(ss.size(), 5u);
  ASSERT_EQ(ss[0].maps.size(), 1u);
  const auto& tests = ss[0].maps[0].tests;
  ASSERT_EQ(tests.size(), 5u);
  EXPECT_EQ(tests[1].kind, match_kind::startswith);
  EXPECT_TRUE(tests[1].all);
  EXPECT_EQ(tests[1].values.size(), 2u);
  EXPECT_EQ(tests[2].kind, match_kind::endswith);
  EXPECT_EQ(tests[2].values[0].text, "7");
  EXPECT_TRUE(tests[3].values[0].is_null);
  EXPECT_FALSE(tests[4].values[0].is_null);  // '' is an empty string, not null
  EXPECT_EQ(tests[4].values[0].text, "");
  EXPECT_TRUE(tests[4].values[1].is_null);
  EXPECT_EQ(ss[1].maps.size(), 2u);
  ASSERT_EQ(ss[2].maps.size(), 1u);
  const field_test& kw = ss[2].maps[0].tests.at(0);
  EXPECT_EQ(kw.field, "");
  EXPECT_EQ(kw.kind, match_kind::contains);
  EXPECT_EQ(kw.values.size(), 2u);
  EXPECT_EQ(kw.values[1].text, "2");
  EXPECT_EQ(kw.values[1].line, 14);
  EXPECT_EQ(ss[3].maps[0].tests.at(0).values.at(0).text, "three");
  EXPECT_EQ(ss[4].maps[0].tests.at(0).field, "");
  EXPECT_TRUE(ss[4].maps[0].tests.at(0).all);
}

TEST(loader, skips_correlation_and_filter_documents_and_empty_ones) {
  load_result r = load_text(R"(title: base
id: 00000000-0000-0000-0000-000000000001
detection:
    sel:
        a: b
    condition: sel
---
title: many
correlation:
    type: event_count
    rules: [00000000-0000-0000-0000-000000000001]
    timespan: 1m
    condition: {gte: 3}
---
title: filter
filter:
    rules: [00000000-0000-0000-0000-000000000001]
    selection:
        user: admin
    condition: not selection
---
---
title: second
detection:
    sel:
        a: c
    condition: sel
)",
                            "multi.yml");
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.rules.size(), 2u);
  EXPECT_EQ(r.rules[0].title, "base");
  EXPECT_EQ(r.rules[1].title, "second");
  EXPECT_EQ(r.rules[1].line, 23);
}

TEST(loader, flat_correlation_rule_gets_a_hint) {
  diagnostic d = [] {
    load_result r = load_text("title: many\ntype: event_count\nrules: [x]\ntimespan: 5m\n", "flat.yml");
    EXPECT_EQ(r.errors.size(), 1u);
    return r.errors.empty() ? diagnostic{} : r.errors.front();
  }();
  EXPECT_EQ(d.line, 1);
  EXPECT_NE(d.message.find("looks like a correlation rule"), std::string::npos) << d.message;
}

TEST(loader, reports_every_problem_of_a_rule) {
  load_result r = load_text(R"(title: many problems
detection:
    a:
        f|nope: x
    b:
        g|contains|startswith: y
    condition: a and c
)",
                            "many.yml");
  EXPECT_TRUE(r.rules.empty());
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(to_string(r.errors[0]), "many.yml:4: unknown modifier 'nope' in 'f|nope'");
  EXPECT_EQ(to_string(r.errors[1]),
            "many.yml:6: conflicting modifiers 'contains' and 'startswith' in 'g|contains|startswith'");
  EXPECT_EQ(to_string(r.errors[2]), "many.yml:7: undefined search identifier 'c' in condition");
}

TEST(loader, errors_carry_the_offending_line) {
  diagnostic d = only_error("title: t\ndetection:\n    sel:\n        a|base65: x\n    condition: sel\n");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.message, "unknown modifier 'base65' in 'a|base65'");

  d = only_error("title: t\nreferences: https://example.org\ndetection:\n    sel:\n        a: x\n    condition: sel\n");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.message, "'references' must be a list");

  d = only_error("title: t\ncorrelation:\n    type: event_count\n    rules: [nowhere]\n");
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.message, "correlation refers to rule 'nowhere', which no loaded rule has as id or name");

  d = only_error("title: t\ncorrelation:\n    type: event_count\n    rules:\n        a: b\n");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.message.rfind("correlation 'rules' must be a list", 0), 0u) << d.message;

  d = only_error("title: t\ndetection:\n    sel:\n        a: x\n    condition: sel OR sel\n");
  EXPECT_EQ(d.line, 5);
  EXPECT_EQ(d.message, "operator must be lowercase: OR");

  d = only_error("title: t\ndetection:\n    sel:\n        a: x\n    condition:\n        - sel\n        - sel | count() > 3\n");
  EXPECT_EQ(d.line, 6);
  EXPECT_NE(d.message.find("correlation rule"), std::string::npos);

  d = only_error("\n\nid: x\ndetection:\n    sel:\n        a: x\n    condition: sel\n");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.message, "missing required key 'title'");

  d = only_error("title: t\nlevel: high\n");
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.message, "missing required key 'detection'");

  d = only_error("title: t\ndetection:\n    sel:\n        a: x\n");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.message, "detection has no 'condition'");

  d = only_error("title: t\ndetection:\n    sel:\n        a: x: y\n    condition: sel\n");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.message, "invalid YAML: illegal map value");

  d = only_error("title: t\ndetection:\n    sel:\n        a: [x\n    condition: sel\n");
  EXPECT_EQ(d.message.rfind("invalid YAML: ", 0), 0u) << d.message;

  d = only_error("title: [a, b]\ndetection:\n    sel:\n        a: x\n    condition: sel\n");
  EXPECT_EQ(d.message, "'title' must be a string");

  d = only_error("title: t\ntags: {a: b}\ndetection:\n    sel:\n        a: x\n    condition: sel\n");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.message, "'tags' must be a list of strings");

  d = only_error("title: t\ndetection:\n    sel:\n    condition: sel\n");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.message, "search identifier 'sel' is empty");
}

TEST(loader, load_paths_walks_folders_in_sorted_order) {
  fs::path dir = fs::temp_directory_path() / ("talaia_rules_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_walk");
  fs::remove_all(dir);
  fs::create_directories(dir / "b" / "deeper");
  fs::create_directories(dir / "a");
  auto write = [&](const fs::path& p, const std::string& title) {
    std::ofstream(p) << "title: " << title << "\ndetection:\n    s:\n        f: v\n    condition: s\n";
  };
  write(dir / "b" / "deeper" / "z.yaml", "z");
  write(dir / "a" / "y.yml", "y");
  write(dir / "top.yml", "top");
  write(dir / "ignored.txt", "ignored");
  write(dir / "b" / "x.yml", "x");

  load_result r = load_paths({dir.string()});
  EXPECT_TRUE(r.errors.empty());
  std::vector<std::string> titles;
  for (const rule& x : r.rules) titles.push_back(x.title);
  // Sorted by full path: a/y.yml, b/deeper/z.yaml, b/x.yml, top.yml.
  EXPECT_EQ(titles, (std::vector<std::string>{"y", "z", "x", "top"}));

  // A file given directly is read whatever its name; a missing path is a diagnostic.
  r = load_paths({(dir / "ignored.txt").string(), (dir / "missing").string()});
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].title, "ignored");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, (dir / "missing").string());
  EXPECT_EQ(r.errors[0].message, "no such file or folder");
  fs::remove_all(dir);
}

TEST(loader, duplicate_ids_across_files) {
  fs::path dir = fs::temp_directory_path() / ("talaia_rules_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_dup");
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const fs::path& p) {
    std::ofstream(p) << "title: t\nid: same\ndetection:\n    s:\n        f: v\n    condition: s\n";
  };
  write(dir / "1.yml");
  write(dir / "2.yml");
  load_result r = load_paths({dir.string()});
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].path, (dir / "1.yml").string());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(to_string(r.errors[0]), (dir / "2.yml").string() + ":1: duplicate rule id 'same' (first defined at " +
                                         (dir / "1.yml").string() + ":1)");
  fs::remove_all(dir);
}

TEST(loader, good_folder_loads_and_builds_cleanly) {
  load_result r = load_paths({data_dir + "/good"});
  for (const diagnostic& d : r.errors) ADD_FAILURE() << to_string(d);
  EXPECT_GE(r.rules.size(), 2u);
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  ASSERT_TRUE(set.ok()) << set.err().message;
  for (const diagnostic& d : errors) ADD_FAILURE() << to_string(d);
  EXPECT_GE((*set)->rules().size(), 2u);
}

// Every file in bad/ starts with `# expect: <substring>` and `# line: <n>`: loading and building
// it must report that message at that line of that file.
TEST(loader, bad_folder_reports_each_error_at_its_line) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(data_dir + "/bad"))
    if (e.path().extension() == ".yml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 15u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    std::ifstream in(file);
    std::string first, second;
    std::getline(in, first);
    std::getline(in, second);
    ASSERT_EQ(first.rfind("# expect: ", 0), 0u);
    ASSERT_EQ(second.rfind("# line: ", 0), 0u);
    std::string expect = first.substr(10);
    int line = std::stoi(second.substr(8));

    load_result r = load_paths({file.string()});
    std::vector<diagnostic> all = r.errors;
    auto set = rule_set::build(std::move(r.rules), all);
    ASSERT_TRUE(set.ok());
    ASSERT_FALSE(all.empty()) << "no diagnostic";
    bool found = false;
    for (const diagnostic& d : all)
      if (d.message.find(expect) != std::string::npos) {
        found = true;
        EXPECT_EQ(d.path, file.string());
        EXPECT_EQ(d.line, line) << d.message;
      }
    EXPECT_TRUE(found) << "expected '" << expect << "', got " << to_string(all.front());
  }
}

}  // namespace
}  // namespace talaia::rules
