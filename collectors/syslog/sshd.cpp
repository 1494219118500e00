#include "collectors/syslog/sshd.hpp"

#include <charconv>

namespace talaia::collectors::syslog {

namespace {

constexpr auto npos = std::string_view::npos;

struct tail {
  std::string_view user, ip;
  std::int64_t port = -1;
};

// "USER from IP port N[ rest]": the address is the last " from " before the last " port ".
bool read_tail(std::string_view s, tail& t) {
  const std::size_t port_at = s.rfind(" port ");
  if (port_at == npos) return false;
  const std::size_t from_at = s.rfind(" from ", port_at);
  if (from_at == npos) return false;
  t.user = s.substr(0, from_at);
  t.ip = s.substr(from_at + 6, port_at - from_at - 6);
  std::string_view digits = s.substr(port_at + 6);
  digits = digits.substr(0, digits.find_first_not_of("0123456789"));
  std::int64_t port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || digits.empty() || port > 65535 || t.ip.empty() || t.ip.find(' ') != npos) return false;
  t.port = port;
  return true;
}

void set(core::event& out, std::string_view outcome, std::string_view method, bool invalid, const tail& t) {
  out.set_string("sshd.outcome", outcome);
  if (!method.empty()) out.set_string("sshd.method", method);
  if (invalid) out.set_string("sshd.invalid_user", "true");
  out.set_string("user", t.user);
  out.set_string("src_ip", t.ip);
  out.set_integer("src_port", t.port);
}

}  // namespace

bool parse_sshd_auth(std::string_view m, core::event& out) {
  tail t;
  for (std::string_view outcome : {"Failed ", "Accepted "}) {
    if (!m.starts_with(outcome)) continue;
    std::string_view rest = m.substr(outcome.size());
    const std::size_t for_at = rest.find(" for ");
    if (for_at == npos || for_at == 0) return false;
    const std::string_view method = rest.substr(0, for_at);
    rest = rest.substr(for_at + 5);
    const bool invalid = rest.starts_with("invalid user ");
    if (invalid) rest.remove_prefix(13);
    if (!read_tail(rest, t)) return false;
    set(out, outcome == "Failed " ? "failed" : "accepted", method, invalid, t);
    return true;
  }
  if (m.starts_with("Invalid user ") && read_tail(m.substr(13), t)) {
    set(out, "invalid_user", {}, true, t);
    return true;
  }
  return false;
}

}  // namespace talaia::collectors::syslog
