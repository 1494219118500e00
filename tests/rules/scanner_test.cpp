#include "rules/scanner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <thread>

#include "rules/loader.hpp"
#include "rules/pattern.hpp"

namespace talaia::rules {
namespace {

using fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

core::event make_event(fields fs) {
  core::event ev;
  for (const auto& [name, value] : fs) ev.set_string(name, value);
  return ev;
}

// Loads and builds `yaml` (every diagnostic fails the test) and returns its scanner.
std::optional<scanner> compile(std::string_view yaml) {
  load_result r = load_text(yaml, "test.yml");
  for (const diagnostic& d : r.errors) ADD_FAILURE() << to_string(d);
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  for (const diagnostic& d : errors) ADD_FAILURE() << to_string(d);
  if (!set) {
    ADD_FAILURE() << set.err().message;
    return std::nullopt;
  }
  auto sc = scanner::make(set.value());
  if (!sc) {
    ADD_FAILURE() << sc.err().message;
    return std::nullopt;
  }
  return std::move(sc).value();
}

std::vector<std::size_t> match(scanner& sc, const core::event& ev) {
  std::vector<std::size_t> out;
  sc.match(ev, out);
  return out;
}

// The ids of the rules matching an event of `fs`, in rule order.
std::vector<std::string> matched_ids(scanner& sc, fields fs) {
  std::vector<std::string> ids;
  for (std::size_t i : match(sc, make_event(fs))) ids.push_back(sc.rules().rules()[i].id);
  return ids;
}

// One rule whose detection is `detection` (indented by four spaces in the YAML).
class one_rule {
 public:
  explicit one_rule(std::string_view detection) {
    std::string yaml = "title: test\ndetection:\n";
    std::size_t start = 0;
    while (start < detection.size()) {
      std::size_t end = detection.find('\n', start);
      if (end == std::string_view::npos) end = detection.size();
      yaml += "    " + std::string(detection.substr(start, end - start)) + "\n";
      start = end + 1;
    }
    sc_ = compile(yaml);
  }
  bool operator()(fields fs) { return (*this)(make_event(fs)); }
  bool operator()(const core::event& ev) { return sc_ && !match(*sc_, ev).empty(); }

 private:
  std::optional<scanner> sc_;
};

TEST(scanner, equality_is_whole_field_and_case_insensitive) {
  one_rule r("sel:\n    program: sshd\ncondition: sel");
  EXPECT_TRUE(r({{"program", "sshd"}}));
  EXPECT_TRUE(r({{"program", "SSHD"}}));
  EXPECT_FALSE(r({{"program", "sshd2"}}));
  EXPECT_FALSE(r({{"program", "xsshd"}}));
  EXPECT_FALSE(r({{"program", "sshd\n"}}));
  EXPECT_FALSE(r({{"other", "sshd"}}));
  EXPECT_FALSE(r({}));
}

// Equality values without wildcards are looked up, not scanned (rule_set's exact tables): they
// must decide exactly as the same anchored pattern scanned by Hyperscan, for every kind of
// byte the pattern generator escapes, caseless and `cased`.
TEST(scanner, looked_up_equality_decides_as_the_scanned_pattern) {
  const std::vector<std::string> values = {"sshd", "Failed", "a.b", "C:\\Windows\\x", "a\\z", "\\z",
                                           "100%", "caf\xc3\xa9", "x y_z", "(a)", "[1]", "{}", "a|b", "$HOME",
                                           "^x", "a+b", "d-e/f"};
  std::mt19937 rng(7);
  for (const std::string& v : values) {
    const std::string re = to_pattern(parse_sigma_string(v), match_kind::equals).regex;
    auto quote = [](std::string_view s) {
      std::string q = "'";
      for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
      return q + "'";
    };
    const std::string yaml = "title: exact\ndetection:\n    sel:\n        f: " + quote(v) +
                             "\n    condition: sel\n---\ntitle: scanned\ndetection:\n    sel:\n        f|re|i: " +
                             quote(re) + "\n    condition: sel\n---\ntitle: exact cased\ndetection:\n    sel:\n"
                             "        f|cased: " + quote(v) + "\n    condition: sel\n---\ntitle: scanned cased\n"
                             "detection:\n    sel:\n        f|re: " + quote(re) + "\n    condition: sel\n";
    std::optional<scanner> sc = compile(yaml);
    ASSERT_TRUE(sc) << v;
    // The value as a text (its escapes undone), then variants of it.
    std::string plain;
    for (const token& t : parse_sigma_string(v)) plain.push_back(t.c);
    std::vector<std::string> texts = {plain, plain + "x", "x" + plain, plain.substr(1), ""};
    for (int i = 0; i < 40; ++i) {
      std::string t = plain;
      for (char& c : t)
        if (rng() % 2) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (rng() % 4 == 0 && !t.empty()) t[rng() % t.size()] = "\\zZ.\xc3\x89"[rng() % 6];
      texts.push_back(t);
    }
    for (const std::string& t : texts) {
      const std::vector<std::size_t> m = match(*sc, make_event({{"f", t}}));
      const auto has = [&](std::size_t r) { return std::find(m.begin(), m.end(), r) != m.end(); };
      EXPECT_EQ(has(0), has(1)) << "value " << v << " text " << t;
      EXPECT_EQ(has(2), has(3)) << "value " << v << " text " << t;
      if (t == plain) {
        EXPECT_TRUE(has(0) && has(2)) << v;
      }
    }
  }
}

// Gates: a field's scans are skipped when no rule needing them can pass its required tests
// (equality lookups, and short fields scanned before long ones). Whatever is skipped, every rule
// must decide as without skipping: here with gates on an equality (kind), on a scanned short field
// (app|startswith), on the keyword slot, and a rule with no gate sharing the scanned field.

// Many equality values of one length in one field (the lookup searches them by bytes) and a few
// of another: each value, and only a value, matches its rule, whatever the case unless `cased`.
TEST(scanner, every_looked_up_value_among_many_of_one_length_is_found) {
  std::string yaml;
  std::vector<std::string> values;
  for (int i = 0; i < 40; ++i) values.push_back("host-" + std::to_string(100 + i * 7));  // eight bytes each
  values.push_back("db1");
  values.push_back("web");
  for (std::size_t i = 0; i < values.size(); ++i)
    yaml += "title: r" + std::to_string(i) + "\nid: r" + std::to_string(i) + "\ndetection:\n    sel:\n        h" +
            (i % 3 == 0 ? "|cased" : "") + ": " + values[i] + "\n    condition: sel\n---\n";
  yaml += "title: both\nid: both\ndetection:\n    sel:\n        h:\n            - host-107\n            - HOST-114\n"
          "    condition: sel\n";
  std::optional<scanner> sc = compile(yaml);
  ASSERT_TRUE(sc);
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::vector<std::string> want = {"r" + std::to_string(i)};
    if (values[i] == "host-107" || values[i] == "host-114") want.push_back("both");
    EXPECT_EQ(matched_ids(*sc, {{"h", values[i]}}), want) << values[i];
    std::string upper = values[i];
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (i % 3 == 0) want.erase(want.begin());  // cased: the upper case is another value
    EXPECT_EQ(matched_ids(*sc, {{"h", upper}}), want) << upper;
  }
  for (const char* other : {"host-101", "host-1000", "host-10", "db2", "", "webs"})
    EXPECT_TRUE(matched_ids(*sc, {{"h", other}}).empty()) << other;
}
TEST(scanner, skipped_scans_change_no_decision) {
  auto sc = compile(R"(title: r1
id: r1
detection:
    route:
        kind: syslog
    sel:
        message|contains: foo
    condition: route and sel
---
title: r2
id: r2
detection:
    sel:
        app|startswith: ab
        message|contains: foo
    condition: sel
---
title: r3
id: r3
detection:
    keywords:
        - foo
    route:
        kind: flow
    condition: keywords and route
---
title: r4
id: r4
detection:
    sel:
        message|contains: bar
    condition: sel
)");
  ASSERT_TRUE(sc);
  const auto rules_of = [&](fields fs) { return matched_ids(*sc, fs); };
  using ids = std::vector<std::string>;
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"message", "a foo"}}), ids{"r1"});
  EXPECT_EQ(rules_of({{"kind", "flow"}, {"message", "a foo"}}), ids{"r3"});  // keywords in string fields
  EXPECT_EQ(rules_of({{"kind", "x"}, {"app", "abc"}, {"message", "foo"}}), ids{"r2"});
  EXPECT_EQ(rules_of({{"kind", "x"}, {"app", "xab"}, {"message", "foo"}}), ids{});
  EXPECT_EQ(rules_of({{"kind", "SYSLOG"}, {"app", "ABZ"}, {"message", "foobar"}}), (ids{"r1", "r2", "r4"}));
  EXPECT_EQ(rules_of({{"app", "ab"}, {"message", "bar"}}), ids{"r4"});
  EXPECT_EQ(rules_of({{"kind", "flow"}, {"raw", "foo"}, {"message", "x"}}), ids{"r3"});  // keywords in raw only
  EXPECT_EQ(rules_of({{"kind", "flow"}, {"raw", "x"}, {"message", "foo"}}), ids{});
  // A long app text (scanned after the message) still gates nothing wrongly.
  EXPECT_EQ(rules_of({{"app", "ab" + std::string(200, 'z')}, {"message", "foo"}}), ids{"r2"});
}

// A rule is evaluated only when one of its trigger atoms hits; whatever side of an `and` is
// taken as the trigger, every combination must still decide as the condition says.
TEST(scanner, rules_are_decided_the_same_whichever_side_triggers) {
  // Two rules share `kind: syslog` (as a logsource route adds it), each with a specific side
  // and a one-character keyword side.
  auto sc = compile(R"(title: a
id: a
detection:
    route:
        kind: syslog
    tools:
        - 'scp '
        - 'rsync '
    filter:
        - ':'
    condition: route and tools and filter
---
title: b
id: b
detection:
    route:
        kind: syslog
    sel:
        app|contains: cron
    gone:
        user: null
    condition: route and (sel or gone) and not filter_x
    filter_x:
        msg|contains: skip
)");
  ASSERT_TRUE(sc);
  const auto rules_of = [&](fields fs) { return matched_ids(*sc, fs); };
  using ids = std::vector<std::string>;
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "scp a b:c"}, {"user", "x"}}), ids{"a"});
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "scp a b"}, {"user", "x"}}), ids{});       // no ':'
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "cp a b:c"}, {"user", "x"}}), ids{});      // no tool
  EXPECT_EQ(rules_of({{"kind", "flow"}, {"raw", "scp a b:c"}, {"user", "x"}}), ids{});       // no route
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "z"}, {"user", "x"}, {"app", "CRON"}}), ids{"b"});
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "z"}}), ids{"b"});                         // user absent: null
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "z"}, {"msg", "skip"}}), ids{});           // not filter_x
  EXPECT_EQ(rules_of({{"kind", "syslog"}, {"raw", "z"}, {"user", "x"}}), ids{});             // neither sel nor gone
  EXPECT_EQ(rules_of({{"raw", "scp a b:c"}}), ids{});
}

// Regex atoms no rule is triggered by and no gate needs (a filter beside a rarer selection) go
// to a slot's lazy database, scanned only when a rule owning them is evaluated: every rule must
// decide as if they were scanned with the rest, negated or not, shared or not, in keywords
// (raw, or each string field without one) and in fields.
TEST(scanner, lazily_scanned_atoms_decide_as_the_others) {
  auto sc = compile(R"(title: tools
id: tools
detection:
    tools:
        - 'scp '
        - 'rsync '
    filter:
        - ':'
        - '@'
    condition: tools and filter
---
title: not filtered
id: not_filtered
detection:
    sel:
        msg|contains: foo
    filter:
        msg|contains: bar
    condition: sel and not filter
---
title: shared
id: shared
detection:
    sel:
        msg|contains: bar
    condition: sel
---
title: negated only
id: negated_only
detection:
    filter:
        - 'zz'
    condition: not filter
)");
  ASSERT_TRUE(sc);
  const rule_set& set = sc->rules();
  ASSERT_NE(set.keyword_slot().lazy_db, nullptr);  // ':', '@' and 'zz'
  EXPECT_EQ(set.keyword_slot().db != nullptr, true);  // the tools
  ASSERT_NE(set.find_slot("msg"), nullptr);
  EXPECT_EQ(set.find_slot("msg")->lazy_db, nullptr);  // `bar` triggers `shared`: scanned at once
  const auto rules_of = [&](fields fs) { return matched_ids(*sc, fs); };
  using ids = std::vector<std::string>;
  EXPECT_EQ(rules_of({{"raw", "scp a b:c"}}), (ids{"tools", "negated_only"}));
  EXPECT_EQ(rules_of({{"raw", "rsync a@b"}}), (ids{"tools", "negated_only"}));
  EXPECT_EQ(rules_of({{"raw", "scp a b"}}), ids{"negated_only"});
  EXPECT_EQ(rules_of({{"raw", "scp a:zz"}}), ids{"tools"});
  EXPECT_EQ(rules_of({{"raw", "a:b zz"}}), ids{});
  EXPECT_EQ(rules_of({{"msg", "foo"}, {"raw", "x"}}), (ids{"not_filtered", "negated_only"}));
  EXPECT_EQ(rules_of({{"msg", "foo bar"}, {"raw", "x"}}), (ids{"shared", "negated_only"}));
  // Without raw, keywords search each string field: a tool in one, ':' in another.
  EXPECT_EQ(rules_of({{"a", "scp x"}, {"b", "y:z"}}), (ids{"tools", "negated_only"}));
  EXPECT_EQ(rules_of({{"a", "scp x"}, {"b", "zz"}}), ids{});
  // Reset between events: a lazy hit of one event is not seen by the next.
  EXPECT_EQ(rules_of({{"raw", "scp a:b"}}), (ids{"tools", "negated_only"}));
  EXPECT_EQ(rules_of({{"raw", "scp ab"}}), ids{"negated_only"});
}

// A lazy atom in a field slot: scanned only when its rule is a candidate.
TEST(scanner, lazily_scanned_field_atoms_decide_as_the_others) {
  auto sc = compile(R"(title: r
id: r
detection:
    sel:
        app: sshd
    filter:
        msg|contains: 'from 10.'
    condition: sel and not filter
---
title: s
id: s
detection:
    sel:
        app: cron
    other:
        msg|endswith: ' ok'
    condition: sel and other
)");
  ASSERT_TRUE(sc);
  ASSERT_NE(sc->rules().find_slot("msg"), nullptr);
  ASSERT_NE(sc->rules().find_slot("msg")->lazy_db, nullptr);
  const auto rules_of = [&](fields fs) { return matched_ids(*sc, fs); };
  using ids = std::vector<std::string>;
  EXPECT_EQ(rules_of({{"app", "sshd"}, {"msg", "login from 10.0.0.1"}}), ids{});
  EXPECT_EQ(rules_of({{"app", "sshd"}, {"msg", "login from 192.0.2.1"}}), ids{"r"});
  EXPECT_EQ(rules_of({{"app", "cron"}, {"msg", "job ok"}}), ids{"s"});
  EXPECT_EQ(rules_of({{"app", "cron"}, {"msg", "job failed"}}), ids{});
  EXPECT_EQ(rules_of({{"app", "x"}, {"msg", "job ok from 10.1"}}), ids{});
}

// find_slot: every field a rule names is found (through the filter and the table), any other
// name is not, whatever its length or bytes.
TEST(scanner, every_named_field_has_its_slot_and_no_other_name_has_one) {
  std::vector<std::string> names = {"a", "kind", "app_name", "sshd.outcome", "fortigate.subtype", "cs-uri-query",
                                    "x" + std::string(40, 'y')};
  for (int i = 0; i < 60; ++i) names.push_back("f" + std::to_string(i * 37));
  std::string yaml;
  for (std::size_t i = 0; i < names.size(); ++i)
    yaml += "title: r" + std::to_string(i) + "\ndetection:\n    sel:\n        " + names[i] + "|contains: v\n    condition: sel\n---\n";
  yaml += "title: last\ndetection:\n    sel:\n        z: v\n    condition: sel\n";
  names.push_back("z");
  std::optional<scanner> sc = compile(yaml);
  ASSERT_TRUE(sc);
  const rule_set& set = sc->rules();
  for (const std::string& n : names) {
    const rule_set::slot* s = set.find_slot(n);
    ASSERT_NE(s, nullptr) << n;
    EXPECT_EQ(s->field, n);
  }
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::string other(1 + rng() % 20, ' ');
    for (char& c : other) c = "fkind_ap0123456789.z"[rng() % 20];
    if (std::find(names.begin(), names.end(), other) != names.end()) continue;
    EXPECT_EQ(set.find_slot(other), nullptr) << other;
  }
  EXPECT_EQ(set.find_slot(""), nullptr);
}

// Short texts scanned again have their hits replayed from the scanner's memo: every rule must
// decide as on a first scan, for texts met many times, texts sharing a memo bucket (more distinct
// texts than buckets), texts that match more atoms than a memo keeps, and keyword texts.
TEST(scanner, texts_met_again_decide_as_when_first_scanned) {
  auto sc = compile(R"(title: ab
id: ab
detection:
    sel:
        app|contains: ab
    condition: sel
---
title: endz
id: endz
detection:
    sel:
        app|endswith: z
    condition: sel
---
title: many
id: many
detection:
    sel:
        app|contains|all: [a, b, x, z, ax, bz]
    condition: sel
---
title: other
id: other
detection:
    sel:
        host|startswith: ab
    condition: sel
---
title: kw
id: kw
detection:
    keywords:
        - zz
    condition: keywords
)");
  ASSERT_TRUE(sc);
  std::mt19937 rng(3);
  const auto random_text = [&] {
    std::string t(1 + rng() % 8, ' ');
    for (char& c : t) c = "abxzAZ"[rng() % 6];
    return t;
  };
  const auto lower = [](std::string t) {
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
  };
  for (int i = 0; i < 30000; ++i) {
    const std::string app = random_text(), host = random_text();
    const std::string a = lower(app), h = lower(host);
    std::vector<std::string> want;
    if (a.find("ab") != std::string::npos) want.push_back("ab");
    if (a.back() == 'z') want.push_back("endz");
    static constexpr const char* all[] = {"a", "b", "x", "z", "ax", "bz"};
    if (std::all_of(std::begin(all), std::end(all), [&](const char* p) { return a.find(p) != std::string::npos; }))
      want.push_back("many");
    if (h.rfind("ab", 0) == 0) want.push_back("other");
    if (a.find("zz") != std::string::npos || h.find("zz") != std::string::npos) want.push_back("kw");
    ASSERT_EQ(matched_ids(*sc, {{"app", app}, {"host", host}}), want) << app << " / " << host;
  }
}

TEST(scanner, contains) {
  one_rule r("sel:\n    msg|contains: 'Failed Password'\ncondition: sel");
  EXPECT_TRUE(r({{"msg", "Failed password for root from 10.0.0.1"}}));
  EXPECT_TRUE(r({{"msg", "x FAILED PASSWORD"}}));
  EXPECT_FALSE(r({{"msg", "Failed passwd"}}));
}

TEST(scanner, startswith) {
  one_rule r("sel:\n    path|startswith: '/etc/'\ncondition: sel");
  EXPECT_TRUE(r({{"path", "/etc/shadow"}}));
  EXPECT_TRUE(r({{"path", "/ETC/passwd"}}));
  EXPECT_FALSE(r({{"path", "/home/etc/x"}}));
}

TEST(scanner, endswith) {
  one_rule r("sel:\n    image|endswith: '\\cmd.exe'\ncondition: sel");
  EXPECT_TRUE(r({{"image", "C:\\Windows\\System32\\CMD.EXE"}}));
  EXPECT_FALSE(r({{"image", "C:\\Windows\\System32\\cmd.exe.bak"}}));
  EXPECT_FALSE(r({{"image", "C:\\tools\\mycmd.exe"}}));
}

TEST(scanner, list_of_values_is_or_and_all_makes_it_and) {
  one_rule any("sel:\n    msg|contains: [alpha, beta]\ncondition: sel");
  EXPECT_TRUE(any({{"msg", "xx beta"}}));
  EXPECT_FALSE(any({{"msg", "gamma"}}));
  one_rule all("sel:\n    msg|contains|all: [alpha, beta]\ncondition: sel");
  EXPECT_TRUE(all({{"msg", "beta then alpha"}}));
  EXPECT_FALSE(all({{"msg", "only alpha"}}));
}

TEST(scanner, fields_of_a_map_are_and_and_list_of_maps_is_or) {
  one_rule map("sel:\n    program: sudo\n    msg|contains: 'COMMAND=/bin/sh'\ncondition: sel");
  EXPECT_TRUE(map({{"program", "sudo"}, {"msg", "user : COMMAND=/bin/sh"}}));
  EXPECT_FALSE(map({{"program", "sudo"}, {"msg", "user : COMMAND=/bin/ls"}}));
  EXPECT_FALSE(map({{"program", "su"}, {"msg", "user : COMMAND=/bin/sh"}}));
  one_rule maps("sel:\n    - program: sudo\n    - msg: boom\ncondition: sel");
  EXPECT_TRUE(maps({{"program", "sudo"}}));
  EXPECT_TRUE(maps({{"msg", "BOOM"}}));
  EXPECT_FALSE(maps({{"program", "boom"}, {"msg", "sudo"}}));
}

TEST(scanner, wildcards) {
  one_rule r("sel:\n    path: '/var/*/access?.log'\ncondition: sel");
  EXPECT_TRUE(r({{"path", "/var/log/nginx/access1.log"}}));
  EXPECT_TRUE(r({{"path", "/var//accessX.log"}}));
  EXPECT_FALSE(r({{"path", "/var/log/access.log"}}));    // `?` needs one character
  EXPECT_FALSE(r({{"path", "/var/log/access12.log"}}));  // and only one
  EXPECT_FALSE(r({{"path", "/usr/var/log/access1.log"}}));
  one_rule url("sel:\n    uri|contains: '/index.php?id='\ncondition: sel");  // unescaped ? in a URL
  EXPECT_TRUE(url({{"uri", "GET /index.php?id=1"}}));
  EXPECT_TRUE(url({{"uri", "GET /index.php&id=1"}}));
  one_rule multiline("sel:\n    msg: 'a*b'\ncondition: sel");
  EXPECT_TRUE(multiline({{"msg", "a\nline\nb"}}));  // `*` crosses newlines
}

TEST(scanner, backslash_before_other_characters_stays_a_backslash) {
  one_rule plain("sel:\n    image: 'C:\\Windows\\System32\\cmd.exe'\ncondition: sel");
  EXPECT_TRUE(plain({{"image", "c:\\windows\\system32\\CMD.exe"}}));
  EXPECT_FALSE(plain({{"image", "C:WindowsSystem32cmd.exe"}}));
  // `C:\Windows\*`: `\W` is a backslash and a W, but `\*` is a literal star, not a wildcard.
  one_rule star("sel:\n    image: 'C:\\Windows\\*'\ncondition: sel");
  EXPECT_TRUE(star({{"image", "C:\\Windows*"}}));
  EXPECT_FALSE(star({{"image", "C:\\Windows\\System32\\cmd.exe"}}));
  EXPECT_FALSE(star({{"image", "C:\\Windows\\"}}));
  // `C:\Windows\\*`: an escaped backslash, then a wildcard: everything under the folder.
  one_rule folder("sel:\n    image: 'C:\\Windows\\\\*'\ncondition: sel");
  EXPECT_TRUE(folder({{"image", "C:\\Windows\\System32\\cmd.exe"}}));
  EXPECT_TRUE(folder({{"image", "c:\\windows\\"}}));
  EXPECT_FALSE(folder({{"image", "C:\\WindowsApps\\x"}}));
  EXPECT_FALSE(folder({{"image", "C:Windows\\x"}}));
}

TEST(scanner, escaped_star_question_and_backslash_are_literal) {
  one_rule star("sel:\n    msg: 'a\\*b'\ncondition: sel");
  EXPECT_TRUE(star({{"msg", "a*b"}}));
  EXPECT_FALSE(star({{"msg", "axb"}}));
  EXPECT_FALSE(star({{"msg", "a\\xb"}}));
  one_rule question("sel:\n    msg: 'why\\?'\ncondition: sel");
  EXPECT_TRUE(question({{"msg", "WHY?"}}));
  EXPECT_FALSE(question({{"msg", "whyx"}}));
  one_rule backslash("sel:\n    msg: 'dom\\\\*'\ncondition: sel");  // `dom\\*`: backslash, then wildcard
  EXPECT_TRUE(backslash({{"msg", "dom\\user"}}));
  EXPECT_FALSE(backslash({{"msg", "domuser"}}));
}

TEST(scanner, regex_metacharacters_are_literal) {
  std::string punct = "!\"#$%&'()+,-./:;<=>@[]^_`{|}~";
  one_rule r("sel:\n    msg: \"x" + std::string("!\\\"#$%&'()+,-./:;<=>@[]^_`{|}~") + "y\"\ncondition: sel");
  EXPECT_TRUE(r({{"msg", "x" + punct + "y"}}));
  EXPECT_FALSE(r({{"msg", "x" + punct + "yy"}}));
  one_rule dot("sel:\n    host: 'a.b'\ncondition: sel");
  EXPECT_TRUE(dot({{"host", "A.B"}}));
  EXPECT_FALSE(dot({{"host", "axb"}}));
}

TEST(scanner, numbers_match_as_text) {
  one_rule r("sel:\n    status: 404\ncondition: sel");
  core::event ev;
  ev.set_integer("status", 404);
  EXPECT_TRUE(r(ev));
  ev.set_integer("status", 4040);
  EXPECT_FALSE(r(ev));
  EXPECT_TRUE(r({{"status", "404"}}));
  one_rule port("sel:\n    port|startswith: 44\ncondition: sel");
  ev.set_integer("port", 443);
  EXPECT_TRUE(port(ev));
}

TEST(scanner, null_means_absent_or_empty) {
  one_rule r("sel:\n    program: sshd\n    user: null\ncondition: sel");
  EXPECT_TRUE(r({{"program", "sshd"}}));
  EXPECT_TRUE(r({{"program", "sshd"}, {"user", ""}}));
  EXPECT_FALSE(r({{"program", "sshd"}, {"user", "root"}}));
  one_rule only_null("sel:\n    user: null\ncondition: sel");  // can match with no hit at all
  EXPECT_TRUE(only_null({{"program", "x"}}));
  EXPECT_FALSE(only_null({{"user", "root"}}));
  one_rule not_null("sel:\n    user: null\ncondition: not sel");
  EXPECT_TRUE(not_null({{"user", "root"}}));
  EXPECT_FALSE(not_null({}));
  one_rule or_value("sel:\n    user: [null, root]\ncondition: sel");
  EXPECT_TRUE(or_value({{"user", "ROOT"}}));
  EXPECT_TRUE(or_value({}));
  EXPECT_FALSE(or_value({{"user", "bob"}}));
}

TEST(scanner, empty_string_and_lone_star) {
  one_rule empty("sel:\n    user: ''\ncondition: sel");
  EXPECT_TRUE(empty({{"user", ""}}));
  EXPECT_FALSE(empty({{"user", "x"}}));
  EXPECT_FALSE(empty({}));
  one_rule star("sel:\n    user: '*'\ncondition: sel");
  EXPECT_TRUE(star({{"user", ""}}));
  EXPECT_TRUE(star({{"user", "x"}}));
  EXPECT_FALSE(star({}));
}

TEST(scanner, keywords_match_raw_anywhere) {
  one_rule r("keywords:\n    - 'segfault at'\n    - 'nc -e /bin/?h'\ncondition: keywords");
  EXPECT_TRUE(r({{"raw", "<3>kernel: app[12]: SEGFAULT AT 0 ip"}}));
  EXPECT_FALSE(r({{"raw", "cmd=nc -e /bin/bash"}}));  // `?` is exactly one character
  EXPECT_TRUE(r({{"raw", "cmd=nc -e /bin/sh;"}}));
  EXPECT_FALSE(r({{"raw", "all good"}}));
  // With `raw` present, other fields are not searched.
  EXPECT_FALSE(r({{"raw", "all good"}, {"msg", "segfault at 0"}}));
}

TEST(scanner, keywords_search_string_fields_without_raw) {
  one_rule r("keywords:\n    - 'segfault at'\n    - '4242'\ncondition: keywords");
  EXPECT_TRUE(r({{"msg", "app: segfault at 0"}}));
  EXPECT_TRUE(r({{"host", "a"}, {"msg", "Segfault At"}}));
  EXPECT_FALSE(r({{"msg", "segfault"}, {"host", " at"}}));  // no match across fields
  core::event ev;
  ev.set_integer("pid", 4242);  // integer fields are not keyword targets
  EXPECT_FALSE(r(ev));
  ev.set_string("msg", "pid 4242 died");
  EXPECT_TRUE(r(ev));
}

TEST(scanner, keywords_with_all) {
  one_rule r("keywords:\n    '|all':\n        - 'dd'\n        - 'of=/dev/sd'\ncondition: keywords");
  EXPECT_TRUE(r({{"raw", "dd if=/dev/zero of=/dev/sda"}}));
  EXPECT_FALSE(r({{"raw", "dd if=/dev/zero of=/tmp/x"}}));
}

TEST(scanner, conditions_combine_searches) {
  std::string det =
      "a:\n    f: a\nb:\n    f: b\nc:\n    g: c\nfilter_1:\n    h: x\nfilter_2:\n    h: y\n"
      "condition: (a or b) and not c and not 1 of filter_*";
  one_rule r(det);
  EXPECT_TRUE(r({{"f", "a"}}));
  EXPECT_TRUE(r({{"f", "b"}, {"h", "z"}}));
  EXPECT_FALSE(r({{"f", "a"}, {"g", "c"}}));
  EXPECT_FALSE(r({{"f", "b"}, {"h", "y"}}));
  EXPECT_FALSE(r({{"f", "x"}}));
  one_rule all("s_1:\n    f: a\ns_2:\n    g: b\ncondition: all of s_*");
  EXPECT_TRUE(all({{"f", "a"}, {"g", "b"}}));
  EXPECT_FALSE(all({{"f", "a"}}));
  one_rule them("s_1:\n    f: a\ns_2:\n    g: b\ncondition: 1 of them");
  EXPECT_TRUE(them({{"g", "b"}}));
  EXPECT_FALSE(them({{"g", "a"}}));
  one_rule all_them("s_1:\n    f: a\ns_2:\n    g: b\ncondition: all of them");
  EXPECT_TRUE(all_them({{"f", "a"}, {"g", "b"}}));
  EXPECT_FALSE(all_them({{"g", "b"}}));
  one_rule list("s_1:\n    f: a\ns_2:\n    g: b\ncondition:\n    - s_1 and s_2\n    - not s_1");
  EXPECT_TRUE(list({{"f", "a"}, {"g", "b"}}));
  EXPECT_TRUE(list({}));
  EXPECT_FALSE(list({{"f", "a"}}));
}

TEST(scanner, only_negated_rule_matches_events_without_any_hit) {
  one_rule r("filter:\n    program: cron\ncondition: not filter");
  EXPECT_TRUE(r({{"msg", "anything"}}));
  EXPECT_TRUE(r({}));
  EXPECT_FALSE(r({{"program", "CRON"}}));
}

constexpr std::string_view three_rules = R"(title: sshd
detection:
    sel:
        program: sshd
    condition: sel
---
title: failed anything
detection:
    sel:
        msg|contains: failed
    condition: sel
---
title: sshd too
detection:
    sel:
        program: sshd
    kw:
        - 'root'
    condition: sel and kw
)";

TEST(scanner, reports_every_matching_rule_in_order_and_resets_between_events) {
  std::optional<scanner> sc = compile(three_rules);
  ASSERT_TRUE(sc);
  EXPECT_EQ(sc->rules().rules().size(), 3u);
  core::event ev = make_event({{"program", "sshd"}, {"msg", "Failed password for root"}});
  EXPECT_EQ(match(*sc, ev), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(match(*sc, make_event({{"program", "sshd"}, {"msg", "ok"}})), (std::vector<std::size_t>{0}));
  EXPECT_EQ(match(*sc, make_event({{"program", "sshd"}, {"raw", "root"}})),
            (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(match(*sc, make_event({{"program", "cron"}})).empty());
  EXPECT_EQ(match(*sc, ev), (std::vector<std::size_t>{0, 1, 2}));  // same input, same output
  // match() appends.
  std::vector<std::size_t> out{99};
  sc->match(make_event({{"msg", "failed"}}), out);
  EXPECT_EQ(out, (std::vector<std::size_t>{99, 1}));
  EXPECT_EQ(sc->scan_errors(), 0u);
}

TEST(scanner, empty_rule_set_matches_nothing) {
  std::vector<diagnostic> errors;
  auto set = rule_set::build({}, errors);
  ASSERT_TRUE(set.ok());
  auto sc = scanner::make(set.value());
  ASSERT_TRUE(sc.ok());
  std::vector<std::size_t> out;
  sc->match(make_event({{"raw", "x"}}), out);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(scanner::make(nullptr).ok());
}

TEST(scanner, rejected_pattern_leaves_only_its_rule_out) {
  std::string yaml = std::string(three_rules) + "---\ntitle: too long\ndetection:\n    sel:\n        msg:\n            - ok\n            - '" +
                     std::string(20000, '?') + "'\n    condition: sel\n";
  load_result r = load_text(yaml, "long.yml");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.rules.size(), 4u);
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "long.yml");
  EXPECT_EQ(errors[0].line, 26);
  EXPECT_NE(errors[0].message.find("field 'msg' value '????"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("rejected by Hyperscan: "), std::string::npos);
  EXPECT_NE(errors[0].message.find("rule 'too long' left out"), std::string::npos);
  ASSERT_EQ((*set)->rules().size(), 3u);
  auto sc = scanner::make(set.value());
  ASSERT_TRUE(sc.ok());
  std::vector<std::size_t> out;
  sc->match(make_event({{"program", "sshd"}, {"msg", "failed"}}), out);
  EXPECT_EQ(out, (std::vector<std::size_t>{0, 1}));
}

TEST(scanner, one_scanner_per_thread_on_a_shared_set) {
  load_result r = load_text(three_rules, "t.yml");
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  ASSERT_TRUE(set.ok());
  std::shared_ptr<const rule_set> shared = set.value();
  std::vector<std::size_t> totals(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < totals.size(); ++t) {
    threads.emplace_back([&, t] {
      auto sc = scanner::make(shared);
      if (!sc) return;
      core::event hit = make_event({{"program", "sshd"}, {"msg", "failed for root"}});
      core::event miss = make_event({{"program", "cron"}, {"msg", "ok"}});
      std::vector<std::size_t> out;
      for (int i = 0; i < 2000; ++i) {
        out.clear();
        sc->match(i % 2 ? hit : miss, out);
        totals[t] += out.size();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (std::size_t total : totals) EXPECT_EQ(total, 3000u);
}

}  // namespace
}  // namespace talaia::rules
