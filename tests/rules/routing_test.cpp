// Filters, field mappings and logsource routes, end to end: a config's `sigma:` block (read by
// core::parse_config as a user writes it) and rule files -> loader -> scanner -> match or not.
#include "rules/routing.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "rules/loader.hpp"
#include "rules/scanner.hpp"

namespace talaia::rules {
namespace {

using fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

core::event make_event(fields fs) {
  core::event ev;
  for (const auto& [name, value] : fs) ev.set_string(name, value);
  return ev;
}

load_options options_from(std::string_view config_yaml) {
  auto cfg = core::parse_config(config_yaml, "talaia.yaml");
  EXPECT_TRUE(cfg.ok()) << (cfg ? "" : cfg.err().message);
  return cfg ? load_options{cfg->sigma} : load_options{};
}

// Loads `yaml` as one collection, builds it; every error fails the test.
class collection {
 public:
  explicit collection(std::string_view yaml, const load_options& options = {}) {
    load_result r = load_text(yaml, "rules.yml", options);
    for (const diagnostic& d : r.errors) ADD_FAILURE() << to_string(d);
    warnings_ = r.warnings;
    std::vector<diagnostic> errors;
    auto set = rule_set::build(std::move(r.rules), errors);
    for (const diagnostic& d : errors) ADD_FAILURE() << to_string(d);
    if (!set) return;
    auto sc = scanner::make(set.value());
    if (sc) sc_ = std::move(sc).value();
  }
  // Titles of the rules the event matches.
  std::vector<std::string> operator()(fields fs) {
    std::vector<std::string> titles;
    if (!sc_) return titles;
    std::vector<std::size_t> hits;
    sc_->match(make_event(fs), hits);
    for (std::size_t i : hits) titles.push_back(sc_->rules().rules()[i].title);
    return titles;
  }
  const std::vector<diagnostic>& warnings() const { return warnings_; }

 private:
  std::optional<scanner> sc_;
  std::vector<diagnostic> warnings_;
};

using titles = std::vector<std::string>;

const char* const ssh_rule = R"(title: ssh failure
id: 11111111-1111-1111-1111-111111111111
name: ssh_failure
logsource:
    product: linux
    service: sshd
detection:
    selection:
        message|contains: 'Failed password'
    condition: selection
---
title: sudo shell
logsource:
    product: linux
    service: sudo
detection:
    selection:
        message|contains: 'COMMAND=/bin/sh'
    condition: selection
)";

TEST(rules_filter, pysigma_semantics_rule_and_filter_condition) {
  std::string yaml = std::string(ssh_rule) + R"(---
title: bastion scanners are expected
logsource:
    product: linux
    service: sshd
filter:
    rules:
        - ssh_failure
    selection:
        hostname: bastion*
    condition: not selection
)";
  collection c(yaml);
  EXPECT_EQ(c({{"hostname", "web1"}, {"message", "Failed password for root"}}), titles{"ssh failure"});
  EXPECT_EQ(c({{"hostname", "bastion2"}, {"message", "Failed password for root"}}), titles{});
  EXPECT_EQ(c({{"hostname", "bastion2"}, {"message", "sudo: COMMAND=/bin/sh"}}), titles{"sudo shell"});
  EXPECT_TRUE(c.warnings().empty());
}

TEST(rules_filter, without_rules_applies_by_logsource_and_by_id_too) {
  std::string yaml = std::string(ssh_rule) + R"(---
title: lab hosts
logsource:
    product: linux
filter:
    lab:
        hostname|startswith: lab-
    condition: not lab
---
title: root only
logsource:
    product: linux
filter:
    rules: [11111111-1111-1111-1111-111111111111]
    root:
        message|contains: ' root '
    condition: root
)";
  collection c(yaml);
  EXPECT_EQ(c({{"hostname", "lab-1"}, {"message", "sudo: COMMAND=/bin/sh"}}), titles{});
  EXPECT_EQ(c({{"hostname", "db"}, {"message", "Failed password for root from x"}}), titles{"ssh failure"});
  EXPECT_EQ(c({{"hostname", "db"}, {"message", "Failed password for bob from x"}}), titles{});
}

TEST(rules_filter, naming_no_loaded_rule_is_a_warning) {
  collection c(std::string(ssh_rule) +
               "---\ntitle: stale\nlogsource:\n    product: linux\nfilter:\n    rules: [gone]\n"
               "    sel:\n        hostname: x\n    condition: not sel\n");
  ASSERT_EQ(c.warnings().size(), 1u);
  EXPECT_NE(c.warnings()[0].message.find("applies to no loaded rule"), std::string::npos);
}

TEST(rules_routing, field_mappings_let_ecs_rules_run_on_talaia_events) {
  load_options options = options_from(R"(
sigma:
    field_mappings:
        source.ip: src_ip
        destination.port: dst_port
)");
  collection c(R"(title: telnet from outside
logsource:
    category: firewall
detection:
    selection:
        destination.port: 23
    internal:
        source.ip|cidr: 10.0.0.0/8
    condition: selection and not internal
)", options);
  EXPECT_EQ(c({{"src_ip", "203.0.113.9"}, {"dst_port", "23"}}), titles{"telnet from outside"});
  EXPECT_EQ(c({{"src_ip", "10.2.3.4"}, {"dst_port", "23"}}), titles{});
  EXPECT_EQ(c({{"source.ip", "203.0.113.9"}, {"destination.port", "23"}}), titles{});
}

TEST(rules_routing, logsource_routes_add_conditions_and_their_own_mappings) {
  load_options options = options_from(R"(
sigma:
    field_mappings:
        Image: app_name
    logsources:
        - product: linux
          service: sshd
          conditions:
              kind: syslog
              app_name: sshd
        - category: webserver
          conditions:
              kind: syslog
          field_mappings:
              cs-uri-query: message
)");
  collection c(std::string(ssh_rule) + R"(---
title: traversal
logsource:
    category: webserver
detection:
    selection:
        cs-uri-query|contains: '../'
    condition: selection
)", options);
  EXPECT_EQ(c({{"kind", "syslog"}, {"app_name", "sshd"}, {"message", "Failed password for x"}}),
            titles{"ssh failure"});
  EXPECT_EQ(c({{"kind", "syslog"}, {"app_name", "cron"}, {"message", "Failed password for x"}}), titles{});
  EXPECT_EQ(c({{"kind", "syslog"}, {"message", "GET /a/../../etc/passwd"}}), titles{"traversal"});
  EXPECT_EQ(c({{"kind", "flow"}, {"message", "GET /a/../../etc/passwd"}}), titles{});
  // sudo shell: product linux, service sudo: no route covers it.
  ASSERT_EQ(c.warnings().size(), 1u);
  EXPECT_NE(c.warnings()[0].message.find("service=sudo is not routed"), std::string::npos)
      << c.warnings()[0].message;
  EXPECT_EQ(c({{"message", "sudo: COMMAND=/bin/sh"}}), titles{"sudo shell"});  // runs unrestricted
}

TEST(rules_routing, route_conditions_take_modifiers_as_in_a_selection) {
  load_options options = options_from(R"(
sigma:
    logsources:
        - product: cisco
          service: aaa
          conditions:
              format: cisco
              cisco.mnemonic|re: '^(CFGLOG_LOGGEDCMD|11100[89]|111010)$'
              hostname|startswith: core-
)");
  collection c(R"(title: clear logging
logsource:
    product: cisco
    service: aaa
detection:
    keywords:
        - 'clear logging'
    condition: keywords
)", options);
  const std::string_view raw = "logged command:clear logging";
  EXPECT_EQ(c({{"format", "cisco"}, {"cisco.mnemonic", "CFGLOG_LOGGEDCMD"}, {"hostname", "core-sw1"}, {"raw", raw}}),
            titles{"clear logging"});
  EXPECT_EQ(c({{"format", "cisco"}, {"cisco.mnemonic", "111008"}, {"hostname", "core-fw1"}, {"raw", raw}}),
            titles{"clear logging"});
  EXPECT_EQ(c({{"format", "cisco"}, {"cisco.mnemonic", "111011"}, {"hostname", "core-fw1"}, {"raw", raw}}), titles{});
  EXPECT_EQ(c({{"format", "cisco"}, {"cisco.mnemonic", "CFGLOG_LOGGEDCMD_X"}, {"hostname", "core-sw1"}, {"raw", raw}}),
            titles{});
  EXPECT_EQ(c({{"format", "cisco"}, {"cisco.mnemonic", "CFGLOG_LOGGEDCMD"}, {"hostname", "edge-sw1"}, {"raw", raw}}),
            titles{});
  EXPECT_TRUE(c.warnings().empty());
}

TEST(rules_routing, a_bad_route_condition_is_an_error_at_the_route_line) {
  load_options options = options_from(R"(
sigma:
    logsources:
        - product: cisco
          conditions:
              cisco.mnemonic|regex: 'x'
)");
  load_result r = load_text("title: t\nlogsource:\n    product: cisco\ndetection:\n    k:\n        - x\n"
                            "    condition: k\n", "rules.yml", options);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "sigma.logsources");
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_NE(r.errors[0].message.find("cisco.mnemonic|regex"), std::string::npos) << r.errors[0].message;
}

TEST(rules_routing, config_errors_name_file_and_line) {
  auto cfg = core::parse_config("sigma:\n    logsources:\n        - product: linux\n          servce: x\n", "t.yaml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.err().message.find("t.yaml:4"), std::string::npos) << cfg.err().message;
  cfg = core::parse_config("sigma:\n    placeholders:\n        admins: [root, admin]\n", "t.yaml");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->sigma.placeholders.at("admins"), (std::vector<std::string>{"root", "admin"}));
}

}  // namespace
}  // namespace talaia::rules
