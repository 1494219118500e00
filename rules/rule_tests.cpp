#include "rules/rule_tests.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "rules/scanner.hpp"

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

int line_of(const YAML::Node& n, int fallback) {
  return n.Mark().is_null() ? fallback : n.Mark().line + 1;
}

std::string sibling_of(const std::string& tests_path) {
  std::string stem = tests_path.substr(0, tests_path.rfind(".tests."));
  for (const char* ext : {".yml", ".yaml"})
    if (fs::exists(stem + ext)) return stem + ext;
  return stem + ".yml";
}

void read_events(const YAML::Node& list, const std::string& path, int doc_line,
                 std::vector<test_event>& out, std::vector<diagnostic>& errors) {
  if (!list) return;
  if (!list.IsSequence()) {
    errors.push_back({path, line_of(list, doc_line), "'match' and 'no_match' must be lists of events"});
    return;
  }
  for (const YAML::Node& item : list) {
    test_event ev;
    ev.source_line = line_of(item, doc_line);
    if (item.IsMap() && item["line"] && item["line"].IsScalar()) {
      ev.line = item["line"].Scalar();
    } else if (item.IsMap() && item["fields"] && item["fields"].IsMap()) {
      for (auto it = item["fields"].begin(); it != item["fields"].end(); ++it) {
        if (!it->second.IsScalar()) {
          errors.push_back({path, ev.source_line, "event fields must be strings or numbers"});
          continue;
        }
        ev.fields.emplace_back(it->first.Scalar(), it->second.Scalar());
      }
    } else {
      errors.push_back({path, ev.source_line, "an event is `line: <log line>` or `fields: {name: value}`"});
      continue;
    }
    out.push_back(std::move(ev));
  }
}

void load_tests_file(const std::string& path, tests_loaded& out) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAllFromFile(path);
  } catch (const YAML::Exception& e) {
    out.errors.push_back({path, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg});
    return;
  }
  for (const YAML::Node& doc : docs) {
    if (doc.IsNull()) continue;
    int doc_line = line_of(doc, 1);
    if (!doc.IsMap()) {
      out.errors.push_back({path, doc_line, "a tests document is a mapping with 'match' and 'no_match'"});
      continue;
    }
    rule_test t;
    t.path = path;
    t.line = doc_line;
    t.sibling = sibling_of(path);
    try {
      if (doc["rule"]) t.rule = doc["rule"].as<std::string>();
      read_events(doc["match"], path, doc_line, t.must_match, out.errors);
      read_events(doc["no_match"], path, doc_line, t.must_not_match, out.errors);
    } catch (const YAML::Exception& e) {
      out.errors.push_back({path, e.mark.is_null() ? doc_line : e.mark.line + 1, "cannot read tests: " + e.msg});
      continue;
    }
    out.tests.push_back(std::move(t));
  }
}

core::event make_event(const test_event& te, const line_parser& parse_line) {
  if (!te.line.empty()) return parse_line(te.line);
  core::event ev;
  for (const auto& [name, value] : te.fields) ev.set_string(name, value);
  return ev;
}

// The index of the rule a test names, or an error message.
std::optional<std::size_t> find_rule(const std::vector<rule>& rules, const rule_test& t, std::string& why) {
  std::vector<std::size_t> found;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const rule& r = rules[i];
    bool hit = t.rule.empty() ? fs::path(r.path) == fs::path(t.sibling)
                              : (t.rule == r.id || (!r.name.empty() && t.rule == r.name) || t.rule == r.title);
    if (hit) found.push_back(i);
  }
  if (found.size() == 1) return found.front();
  if (t.rule.empty())
    why = found.empty() ? "no loaded rule comes from " + t.sibling + " (name the rule with 'rule:')"
                        : t.sibling + " holds several rules: name one with 'rule:'";
  else
    why = found.empty() ? "no loaded rule has id, name or title '" + t.rule + "'"
                        : "several rules have the title '" + t.rule + "': use the id";
  return std::nullopt;
}

std::string shorten(const test_event& te) {
  std::string s = te.line;
  if (s.empty())
    for (const auto& [k, v] : te.fields) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s.size() > 100 ? s.substr(0, 100) + "..." : s;
}

}  // namespace

bool is_tests_file(const std::string& path) {
  return ends_with(path, ".tests.yml") || ends_with(path, ".tests.yaml");
}

tests_loaded load_tests(const std::vector<std::string>& paths) {
  tests_loaded out;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && is_tests_file(it->path().string())) files.push_back(it->path().string());
    } else if (is_tests_file(p)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) load_tests_file(f, out);
  return out;
}

test_report run_tests(const std::shared_ptr<const rule_set>& set, const std::vector<rule_test>& tests,
                      const line_parser& parse_line) {
  test_report report;
  auto sc = scanner::make(set);
  if (!sc) {
    report.failures.push_back({"", 0, sc.err().message});
    return report;
  }
  std::set<std::size_t> tested;
  std::vector<std::size_t> hits;
  for (const rule_test& t : tests) {
    std::string why;
    std::optional<std::size_t> index = find_rule(set->rules(), t, why);
    if (!index) {
      report.failures.push_back({t.path, t.line, why});
      continue;
    }
    tested.insert(*index);
    const rule& r = set->rules()[*index];
    auto run = [&](const std::vector<test_event>& events, bool want) {
      for (const test_event& te : events) {
        ++report.cases;
        hits.clear();
        sc->match(make_event(te, parse_line), hits);
        bool matched = std::find(hits.begin(), hits.end(), *index) != hits.end();
        if (matched == want) {
          ++report.passed;
          continue;
        }
        report.failures.push_back({t.path, te.source_line,
                                   "rule '" + r.title + "' " + (want ? "did not match" : "matched") +
                                       " an event it must " + (want ? "" : "not ") + "match: " + shorten(te)});
      }
    };
    run(t.must_match, true);
    run(t.must_not_match, false);
  }
  report.rules_with_tests = tested.size();
  return report;
}

}  // namespace talaia::rules
