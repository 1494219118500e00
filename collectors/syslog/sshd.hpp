#pragma once
// OpenSSH's authentication lines (tag `sshd`, or `sshd-session` from OpenSSH 9.8 on) to
// fields, so correlation rules can group by the source and count users:
//   "Failed password for [invalid user ]USER from IP port N ssh2"
//   "Accepted publickey for USER from IP port N ssh2: RSA SHA256:..."
//   "Invalid user USER from IP port N"
// give `user`, `src_ip`, `src_port`, `sshd.outcome` (failed, accepted, invalid_user),
// `sshd.method` (password, publickey, keyboard-interactive/pam, ...) and `sshd.invalid_user`
// ("true") when sshd says so. The address is the last " from " before the last " port ", so a
// user name with spaces (or " from ") stays in `user`. Pure, never throws.
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

// Sets the fields and returns true when `message` is one of the lines above.
bool parse_sshd_auth(std::string_view message, core::event& out);

}  // namespace talaia::collectors::syslog
