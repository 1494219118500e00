// OpenSSH authentication lines into user, source address and outcome.
#include <gtest/gtest.h>

#include "tests/collectors/syslog/test_support.hpp"

namespace talaia::collectors::syslog {
namespace {

using testing::field;
using testing::parse_line;

TEST(syslog_sshd, failed_password_for_an_invalid_user) {
  const auto e = parse_line(
      "<38>Nov 27 06:25:01 bastion sshd[4242]: Failed password for invalid user admin from 203.0.113.5 port 51820 ssh2");
  EXPECT_EQ(field(e, "format"), "sshd");
  EXPECT_EQ(field(e, "app_name"), "sshd");
  EXPECT_EQ(field(e, "user"), "admin");
  EXPECT_EQ(field(e, "src_ip"), "203.0.113.5");
  EXPECT_EQ(field(e, "src_port"), "51820");
  EXPECT_EQ(field(e, "sshd.outcome"), "failed");
  EXPECT_EQ(field(e, "sshd.method"), "password");
  EXPECT_EQ(field(e, "sshd.invalid_user"), "true");
  EXPECT_EQ(field(e, "message"),
            "Failed password for invalid user admin from 203.0.113.5 port 51820 ssh2");  // kept whole
}

TEST(syslog_sshd, accepted_publickey_with_key_fingerprint_and_ipv6) {
  const auto e = parse_line(
      "<38>Nov 27 06:25:09 bastion sshd[4250]: Accepted publickey for alice from 2001:db8::7 port 40022 ssh2: "
      "ED25519 SHA256:Vw2yZp6u7hQdS8q2d0tL2xg3N1Jm3cY0mK8yF2QkZcE");
  EXPECT_EQ(field(e, "user"), "alice");
  EXPECT_EQ(field(e, "src_ip"), "2001:db8::7");
  EXPECT_EQ(field(e, "src_port"), "40022");
  EXPECT_EQ(field(e, "sshd.outcome"), "accepted");
  EXPECT_EQ(field(e, "sshd.method"), "publickey");
  EXPECT_FALSE(e.has("sshd.invalid_user"));
}

TEST(syslog_sshd, pam_method_invalid_user_line_and_user_names_with_spaces) {
  auto e = parse_line(
      "<38>Nov 27 06:25:11 bastion sshd[1]: Failed keyboard-interactive/pam for root from 198.51.100.9 port 2 ssh2");
  EXPECT_EQ(field(e, "sshd.method"), "keyboard-interactive/pam");
  EXPECT_EQ(field(e, "user"), "root");
  e = parse_line("<38>Nov 27 06:25:12 bastion sshd[1]: Invalid user oracle from 198.51.100.9 port 33");
  EXPECT_EQ(field(e, "sshd.outcome"), "invalid_user");
  EXPECT_EQ(field(e, "user"), "oracle");
  // A user name an attacker chose: the address is still the one sshd wrote last.
  e = parse_line(
      "<38>Nov 27 06:25:13 bastion sshd[1]: Failed password for invalid user x from 1.2.3.4 port 9 from 198.51.100.9 port 44 ssh2");
  EXPECT_EQ(field(e, "user"), "x from 1.2.3.4 port 9");
  EXPECT_EQ(field(e, "src_ip"), "198.51.100.9");
  EXPECT_EQ(field(e, "src_port"), "44");
}

TEST(syslog_sshd, other_sshd_lines_and_other_programs_get_no_sshd_fields) {
  for (const char* line : {
           "<38>Nov 27 06:25:14 bastion sshd[1]: Connection closed by 198.51.100.9 port 44 [preauth]",
           "<38>Nov 27 06:25:15 bastion sshd[1]: Failed password for root from 198.51.100.9",
           "<38>Nov 27 06:25:16 bastion sshd[1]: Failed password for root from 198.51.100.9 port 99999 ssh2",
           "<38>Nov 27 06:25:17 bastion app[1]: Failed password for root from 198.51.100.9 port 44 ssh2",
       }) {
    const auto e = parse_line(line);
    EXPECT_FALSE(e.has("src_ip")) << line;
    EXPECT_FALSE(e.has("sshd.outcome")) << line;
    EXPECT_FALSE(e.has("parse_error")) << line;
  }
}

}  // namespace
}  // namespace talaia::collectors::syslog
