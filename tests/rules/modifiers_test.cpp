// Every Sigma modifier, end to end: rule text -> loader -> rule_set -> scanner -> match or not,
// on the events a rule author would try. Expected values were checked against pySigma's
// encoders (base64, base64offset, wide) with Python.
#include <gtest/gtest.h>

#include <optional>

#include "rules/encoding.hpp"
#include "rules/loader.hpp"
#include "rules/matcher.hpp"
#include "rules/scanner.hpp"

namespace talaia::rules {
namespace {

using fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

core::event make_event(fields fs) {
  core::event ev;
  for (const auto& [name, value] : fs) ev.set_string(name, value);
  return ev;
}

std::string rule_yaml(std::string_view detection) {
  std::string yaml = "title: test\nlogsource:\n    product: linux\ndetection:\n";
  std::size_t start = 0;
  while (start < detection.size()) {
    std::size_t end = detection.find('\n', start);
    if (end == std::string_view::npos) end = detection.size();
    yaml += "    " + std::string(detection.substr(start, end - start)) + "\n";
    start = end + 1;
  }
  return yaml;
}

// One rule, built; every error fails the test. Warnings are kept for the test to look at.
class one_rule {
 public:
  explicit one_rule(std::string_view detection, load_options options = {}) {
    load_result r = load_text(rule_yaml(detection), "test.yml", options);
    for (const diagnostic& d : r.errors) ADD_FAILURE() << to_string(d);
    warnings_ = r.warnings;
    std::vector<diagnostic> errors;
    auto set = rule_set::build(std::move(r.rules), errors);
    for (const diagnostic& d : errors) ADD_FAILURE() << to_string(d);
    if (!set) {
      ADD_FAILURE() << set.err().message;
      return;
    }
    EXPECT_EQ((*set)->rules().size(), 1u);
    for (const diagnostic& d : (*set)->warnings()) warnings_.push_back(d);
    auto sc = scanner::make(set.value());
    if (!sc) {
      ADD_FAILURE() << sc.err().message;
      return;
    }
    sc_ = std::move(sc).value();
  }
  bool operator()(fields fs) { return (*this)(make_event(fs)); }
  bool operator()(const core::event& ev) {
    if (!sc_) return false;
    std::vector<std::size_t> out;
    sc_->match(ev, out);
    return !out.empty();
  }
  const std::vector<diagnostic>& warnings() const { return warnings_; }
  const scanner& sc() const { return *sc_; }

 private:
  std::optional<scanner> sc_;
  std::vector<diagnostic> warnings_;
};

// The errors of loading (and building) one rule.
std::vector<std::string> errors_of(std::string_view detection) {
  load_result r = load_text(rule_yaml(detection), "test.yml");
  std::vector<std::string> out;
  for (const diagnostic& d : r.errors) out.push_back(d.message);
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  for (const diagnostic& d : errors) out.push_back(d.message);
  return out;
}

bool refused_with(std::string_view detection, std::string_view words) {
  std::vector<std::string> errs = errors_of(detection);
  for (const std::string& e : errs)
    if (e.find(words) != std::string::npos) return true;
  for (const std::string& e : errs) ADD_FAILURE() << "other error: " << e;
  if (errs.empty()) ADD_FAILURE() << "accepted: " << detection;
  return false;
}

std::string utf16le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) out += std::string{c, '\0'};
  return out;
}

// ---- re ----

TEST(rules_modifier_re, is_case_sensitive_and_unanchored_by_default) {
  one_rule r("sel:\n    msg|re: 'user [a-z]+ locked'\ncondition: sel");
  EXPECT_TRUE(r({{"msg", "pam: user bob locked out"}}));
  EXPECT_FALSE(r({{"msg", "pam: USER bob locked out"}}));
  EXPECT_FALSE(r({{"msg", "pam: user 42 locked out"}}));
  EXPECT_TRUE(r.warnings().empty());
}

TEST(rules_modifier_re, anchors_and_flags_i_m_s) {
  one_rule anchored("sel:\n    msg|re: '^GET /admin$'\ncondition: sel");
  EXPECT_TRUE(anchored({{"msg", "GET /admin"}}));
  EXPECT_FALSE(anchored({{"msg", "x GET /admin"}}));
  one_rule i("sel:\n    msg|re|i: 'user bob'\ncondition: sel");
  EXPECT_TRUE(i({{"msg", "USER BOB"}}));
  one_rule no_s("sel:\n    msg|re: 'a.b'\ncondition: sel");
  EXPECT_FALSE(no_s({{"msg", "a\nb"}}));
  one_rule s("sel:\n    msg|re|s: 'a.b'\ncondition: sel");
  EXPECT_TRUE(s({{"msg", "a\nb"}}));
  one_rule no_m("sel:\n    msg|re: '^second'\ncondition: sel");
  EXPECT_FALSE(no_m({{"msg", "first\nsecond"}}));
  one_rule m("sel:\n    msg|re|m: '^second'\ncondition: sel");
  EXPECT_TRUE(m({{"msg", "first\nsecond"}}));
}

TEST(rules_modifier_re, regex_matching_empty_text) {
  one_rule r("sel:\n    msg|re: '^$'\ncondition: sel");
  EXPECT_TRUE(r({{"msg", ""}}));
  EXPECT_FALSE(r({{"msg", "x"}}));
  EXPECT_FALSE(r({}));
}

TEST(rules_modifier_re, hyperscan_refusal_falls_back_to_pcre2_with_a_warning) {
  // Backreferences and lookarounds are beyond Hyperscan.
  one_rule r("sel:\n    msg|re: '(\\w+) \\1'\n    user|re: 'ro(?=ot)'\ncondition: sel");
  EXPECT_TRUE(r({{"msg", "hello hello"}, {"user", "root"}}));
  EXPECT_FALSE(r({{"msg", "hello world"}, {"user", "root"}}));
  EXPECT_FALSE(r({{"msg", "hello hello"}, {"user", "robot"}}));
  ASSERT_EQ(r.warnings().size(), 2u);
  EXPECT_NE(r.warnings()[0].message.find("PCRE2 fallback"), std::string::npos) << r.warnings()[0].message;
  EXPECT_EQ(r.warnings()[0].line, 6);  // the value's line in test.yml
}

TEST(rules_modifier_re, fallback_match_limit_stops_catastrophic_backtracking) {
  one_rule r("sel:\n    msg|re: '^(a|a)*\\1b'\ncondition: sel");
  EXPECT_FALSE(r({{"msg", std::string(40, 'a') + "cb"}}));  // would run for ages without a limit
  EXPECT_EQ(r.sc().fallback_limit_hits(), 1u);
  EXPECT_TRUE(r({{"msg", "aab"}}));
}

TEST(rules_modifier_re, invalid_regex_is_an_error) {
  EXPECT_TRUE(refused_with("sel:\n    msg|re: 'a(b'\ncondition: sel", "PCRE2"));
  EXPECT_TRUE(refused_with("sel:\n    msg|i: 'a'\ncondition: sel", "only go with 're'"));
  EXPECT_TRUE(refused_with("sel:\n    msg|re|contains: 'a'\ncondition: sel", "'re' cannot be combined"));
}

TEST(rules_modifier_re, keyword_regex) {
  one_rule r("keywords:\n    '|re': 'session opened for user (root|admin)'\ncondition: keywords");
  EXPECT_TRUE(r({{"raw", "<86>sshd: session opened for user root by (uid=0)"}}));
  EXPECT_FALSE(r({{"raw", "<86>sshd: session opened for user bob by (uid=0)"}}));
}

// ---- base64, base64offset ----

TEST(rules_encoding, base64_and_offsets_agree_with_pysigma) {
  EXPECT_EQ(base64("ping"), "cGluZw==");
  EXPECT_EQ(base64("http"), "aHR0cA==");
  EXPECT_EQ(base64("abc"), "YWJj");
  EXPECT_EQ(base64_offsets("ping"), (std::vector<std::string>{"cGluZ", "Bpbm", "waW5n"}));
  EXPECT_EQ(base64_offsets("http"), (std::vector<std::string>{"aHR0c", "h0dH", "odHRw"}));
  EXPECT_EQ(base64_offsets("ab"), (std::vector<std::string>{"YW", "Fi", "hY"}));
}

TEST(rules_modifier_base64, plain_and_contains) {
  one_rule eq("sel:\n    data|base64: 'ping'\ncondition: sel");
  EXPECT_TRUE(eq({{"data", "cGluZw=="}}));
  EXPECT_FALSE(eq({{"data", "CGLUZW=="}}));  // base64 is case-significant
  one_rule c("sel:\n    cmd|base64|contains: 'ping'\ncondition: sel");
  EXPECT_TRUE(c({{"cmd", "echo cGluZw== | base64 -d | sh"}}));
  EXPECT_FALSE(c({{"cmd", "echo cGlu | base64 -d"}}));
}

TEST(rules_modifier_base64, offset_finds_the_value_at_any_position) {
  one_rule r("sel:\n    cmd|base64offset|contains: 'whoami'\ncondition: sel");
  for (std::string prefix : {"", "x", "xy", "xyz"}) {
    std::string encoded = base64(prefix + "whoami; id");
    EXPECT_TRUE(r({{"cmd", "powershell -enc " + encoded}})) << prefix;
  }
  EXPECT_FALSE(r({{"cmd", "powershell -enc " + base64("who am i")}}));
}

TEST(rules_modifier_base64, wildcards_cannot_be_encoded) {
  EXPECT_TRUE(refused_with("sel:\n    cmd|base64: 'a*b'\ncondition: sel", "wildcards"));
}

// ---- wide / utf16 ----

TEST(rules_modifier_wide, utf16le_be_and_bom) {
  one_rule wide("sel:\n    blob|wide|contains: 'cmd'\ncondition: sel");
  EXPECT_TRUE(wide({{"blob", "x" + utf16le("CMD.exe")}}));
  EXPECT_FALSE(wide({{"blob", "cmd.exe"}}));
  one_rule be("sel:\n    blob|utf16be|contains: 'ab'\ncondition: sel");
  EXPECT_TRUE(be({{"blob", std::string("\0a\0b", 4)}}));
  EXPECT_FALSE(be({{"blob", std::string("a\0b\0", 4)}}));
  one_rule bom("sel:\n    blob|utf16|startswith: 'ab'\ncondition: sel");
  EXPECT_TRUE(bom({{"blob", std::string("\xff\xfe" "a\0b\0c\0", 8)}}));
  EXPECT_FALSE(bom({{"blob", std::string("a\0b\0", 4)}}));
}

TEST(rules_modifier_wide, then_base64offset_as_in_powershell_rules) {
  one_rule r("sel:\n    cmd|wide|base64offset|contains: 'IEX'\ncondition: sel");
  EXPECT_TRUE(r({{"cmd", "powershell -e " + base64(utf16le("$a=1;IEX (x)"))}}));
  EXPECT_FALSE(r({{"cmd", "powershell -e " + base64("$a=1;IEX (x)")}}));
}

TEST(rules_modifier_wide, keeps_wildcards_and_encodes_non_ascii) {
  sigma_string s = to_utf16(parse_sigma_string("é*"), utf16_form::le);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].c, '\xe9');
  EXPECT_EQ(s[1].c, '\0');
  EXPECT_EQ(s[2].kind, piece::any_run);
}

// ---- windash ----

TEST(rules_modifier_windash, option_dashes_match_every_dash_form) {
  one_rule r("sel:\n    cmd|windash|contains: ' -exec bypass'\ncondition: sel");
  EXPECT_TRUE(r({{"cmd", "powershell -exec bypass"}}));
  EXPECT_TRUE(r({{"cmd", "powershell /exec bypass"}}));
  EXPECT_TRUE(r({{"cmd", "powershell \xe2\x80\x93" "exec bypass"}}));  // en dash
  EXPECT_TRUE(r({{"cmd", "powershell \xe2\x80\x94" "exec bypass"}}));  // em dash
  EXPECT_TRUE(r({{"cmd", "powershell \xe2\x80\x95" "exec bypass"}}));  // horizontal bar
  EXPECT_FALSE(r({{"cmd", "powershell +exec bypass"}}));
  one_rule inner("sel:\n    cmd|windash|contains: 'set-mp'\ncondition: sel");
  EXPECT_TRUE(inner({{"cmd", "set-mp"}}));
  EXPECT_FALSE(inner({{"cmd", "set/mp"}}));  // a dash inside a word is not an option dash
}

// ---- cidr ----

TEST(rules_modifier_cidr, ipv4_and_ipv6) {
  one_rule r("sel:\n    src_ip|cidr:\n        - 10.0.0.0/8\n        - '2001:db8::/32'\ncondition: sel");
  EXPECT_TRUE(r({{"src_ip", "10.1.2.3"}}));
  EXPECT_FALSE(r({{"src_ip", "11.0.0.1"}}));
  EXPECT_TRUE(r({{"src_ip", "2001:db8:1::5"}}));
  EXPECT_TRUE(r({{"src_ip", "2001:DB8::1"}}));
  EXPECT_FALSE(r({{"src_ip", "2001:db9::1"}}));
  EXPECT_TRUE(r({{"src_ip", "::ffff:10.9.9.9"}}));  // IPv4-mapped
  EXPECT_FALSE(r({{"src_ip", "not an address"}}));
  EXPECT_FALSE(r({{"dst_ip", "10.1.2.3"}}));
  one_rule odd("sel:\n    ip|cidr: 192.168.1.128/25\ncondition: sel");
  EXPECT_TRUE(odd({{"ip", "192.168.1.200"}}));
  EXPECT_FALSE(odd({{"ip", "192.168.1.100"}}));
}

TEST(rules_modifier_cidr, host_bits_and_garbage_are_errors) {
  EXPECT_TRUE(refused_with("sel:\n    ip|cidr: 10.0.0.1/8\ncondition: sel", "invalid network"));
  EXPECT_TRUE(refused_with("sel:\n    ip|cidr: 10.0.0.0/33\ncondition: sel", "invalid network"));
  EXPECT_TRUE(refused_with("sel:\n    ip|cidr: 'fe80::1/10'\ncondition: sel", "invalid network"));
  EXPECT_TRUE(refused_with("sel:\n    ip|cidr|contains: 10.0.0.0/8\ncondition: sel", "cannot be combined"));
  EXPECT_TRUE(refused_with("keywords:\n    '|cidr': 10.0.0.0/8\ncondition: keywords", "needs a field"));
}

// ---- lt, lte, gt, gte ----

TEST(rules_modifier_compare, numeric_whenever_the_text_is_a_number) {
  one_rule gt("sel:\n    bytes|gt: 1000\ncondition: sel");
  EXPECT_TRUE(gt({{"bytes", "1001"}}));
  EXPECT_TRUE(gt({{"bytes", "20000"}}));  // numeric, not text order ("20000" < "9")
  EXPECT_FALSE(gt({{"bytes", "1000"}}));
  EXPECT_FALSE(gt({{"bytes", "999"}}));
  EXPECT_FALSE(gt({{"bytes", "lots"}}));
  EXPECT_FALSE(gt({}));
  one_rule lte("sel:\n    port|lte: 1023\ncondition: sel");
  EXPECT_TRUE(lte({{"port", "1023"}}));
  EXPECT_TRUE(lte({{"port", "-5"}}));
  EXPECT_FALSE(lte({{"port", "1024"}}));
  one_rule lt("sel:\n    ratio|lt: 0.5\ncondition: sel");
  EXPECT_TRUE(lt({{"ratio", "0.25"}}));
  EXPECT_FALSE(lt({{"ratio", "0.5"}}));
  one_rule gte("sel:\n    n|gte: 3\ncondition: sel");
  EXPECT_TRUE(gte({{"n", "3"}}));
  EXPECT_FALSE(gte({{"n", "2.99"}}));
  core::event ev;
  ev.set_integer("n", 7);
  EXPECT_TRUE(gte(ev));
}

TEST(rules_modifier_compare, value_must_be_a_number) {
  EXPECT_TRUE(refused_with("sel:\n    n|gt: many\ncondition: sel", "not a number"));
}

// ---- exists ----

TEST(rules_modifier_exists, true_and_false) {
  one_rule yes("sel:\n    user|exists: true\ncondition: sel");
  EXPECT_TRUE(yes({{"user", "root"}}));
  EXPECT_TRUE(yes({{"user", ""}}));
  EXPECT_FALSE(yes({{"host", "a"}}));
  one_rule no("sel:\n    user|exists: false\n    app_name: sshd\ncondition: sel");
  EXPECT_TRUE(no({{"app_name", "sshd"}}));
  EXPECT_FALSE(no({{"app_name", "sshd"}, {"user", "root"}}));
  EXPECT_TRUE(refused_with("sel:\n    user|exists: maybe\ncondition: sel", "true or false"));
}

// ---- fieldref ----

TEST(rules_modifier_fieldref, compares_two_fields_of_the_event) {
  one_rule r("sel:\n    src_ip|fieldref: dst_ip\ncondition: sel");
  EXPECT_TRUE(r({{"src_ip", "10.0.0.1"}, {"dst_ip", "10.0.0.1"}}));
  EXPECT_FALSE(r({{"src_ip", "10.0.0.1"}, {"dst_ip", "10.0.0.2"}}));
  EXPECT_FALSE(r({{"src_ip", "10.0.0.1"}}));
  one_rule c("sel:\n    message|fieldref|contains: user\ncondition: sel");
  EXPECT_TRUE(c({{"message", "login of ALICE failed"}, {"user", "alice"}}));
  EXPECT_FALSE(c({{"message", "login of bob failed"}, {"user", "alice"}}));
  one_rule cased("sel:\n    a|fieldref|cased: b\ncondition: sel");
  EXPECT_TRUE(cased({{"a", "X"}, {"b", "X"}}));
  EXPECT_FALSE(cased({{"a", "X"}, {"b", "x"}}));
}

// ---- expand ----

TEST(rules_modifier_expand, placeholders_come_from_the_config) {
  load_options options;
  options.sigma.placeholders["admins"] = {"root", "admin*"};
  one_rule r("sel:\n    user|expand: '%admins%'\ncondition: sel", options);
  EXPECT_TRUE(r({{"user", "root"}}));
  EXPECT_TRUE(r({{"user", "Administrator"}}));
  EXPECT_FALSE(r({{"user", "bob"}}));
  EXPECT_TRUE(r.warnings().empty());
  one_rule inside("sel:\n    path|expand: '/home/%admins%/.ssh'\ncondition: sel", options);
  EXPECT_TRUE(inside({{"path", "/home/root/.ssh"}}));
  EXPECT_FALSE(inside({{"path", "/home/bob/.ssh"}}));
}

TEST(rules_modifier_expand, placeholder_without_value_is_a_warning_and_never_matches) {
  one_rule r("sel:\n    user|expand: '%admins%'\ncondition: sel");
  ASSERT_EQ(r.warnings().size(), 1u);
  EXPECT_NE(r.warnings()[0].message.find("%admins%"), std::string::npos);
  EXPECT_FALSE(r({{"user", "%admins%"}}));
  EXPECT_FALSE(r({{"user", "root"}}));
}

// ---- cased, neq ----

TEST(rules_modifier_cased, is_case_sensitive) {
  one_rule r("sel:\n    app_name|cased: sshd\ncondition: sel");
  EXPECT_TRUE(r({{"app_name", "sshd"}}));
  EXPECT_FALSE(r({{"app_name", "SSHD"}}));
  one_rule c("sel:\n    msg|contains|cased: 'Failed'\ncondition: sel");
  EXPECT_TRUE(c({{"msg", "x Failed y"}}));
  EXPECT_FALSE(c({{"msg", "x failed y"}}));
}

TEST(rules_modifier_neq, no_value_may_match_and_absent_fields_pass) {
  one_rule r("sel:\n    app_name: sshd\n    user|neq:\n        - root\n        - admin\ncondition: sel");
  EXPECT_TRUE(r({{"app_name", "sshd"}, {"user", "bob"}}));
  EXPECT_FALSE(r({{"app_name", "sshd"}, {"user", "ROOT"}}));
  EXPECT_FALSE(r({{"app_name", "sshd"}, {"user", "admin"}}));
  EXPECT_TRUE(r({{"app_name", "sshd"}}));
  EXPECT_FALSE(r({{"app_name", "cron"}, {"user", "bob"}}));
}

TEST(rules_modifier, unknown_and_conflicting_are_errors) {
  EXPECT_TRUE(refused_with("sel:\n    a|bogus: x\ncondition: sel", "unknown modifier 'bogus'"));
  EXPECT_TRUE(refused_with("sel:\n    a|cidr|gt: 1\ncondition: sel", "conflicting modifiers"));
  EXPECT_TRUE(refused_with("sel:\n    a|exists|neq: true\ncondition: sel", "'exists' stands alone"));
}

// ---- pure helpers ----

TEST(rules_matcher, parse_network_and_numbers) {
  ip_network n;
  EXPECT_TRUE(parse_network("0.0.0.0/0", n));
  EXPECT_TRUE(in_network("8.8.8.8", n));
  EXPECT_TRUE(parse_network("10.0.0.5", n));
  EXPECT_EQ(n.prefix, 32);
  EXPECT_FALSE(parse_network("10.0.0.0/", n));
  EXPECT_FALSE(parse_network("10.0.0.0/8x", n));
  double d = 0;
  EXPECT_TRUE(parse_number("+12", d));
  EXPECT_EQ(d, 12);
  EXPECT_FALSE(parse_number("12 ", d));
  EXPECT_FALSE(parse_number("0x10", d));
  EXPECT_TRUE(parse_number("1e3", d));
  EXPECT_EQ(d, 1000);
  EXPECT_FALSE(parse_number("inf", d));
  EXPECT_FALSE(parse_number("nan", d));
  EXPECT_FALSE(parse_number("", d));
}

}  // namespace
}  // namespace talaia::rules
