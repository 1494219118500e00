#include "collectors/syslog/junos.hpp"

#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t end = std::min(s.find(' ', i), s.size());
    if (end > i) out.push_back(s.substr(i, end - i));
    i = end;
  }
  return out;
}

// `a/p->b/q` into the four fields under `prefix` ("" or "nat-").
bool flow(std::string_view w, std::string_view prefix, core::event& out) {
  const std::size_t arrow = w.find("->");
  if (arrow == npos) return false;
  const std::string_view from = w.substr(0, arrow), to = w.substr(arrow + 2);
  const std::size_t a = from.rfind('/'), b = to.rfind('/');
  if (a == npos || b == npos) return false;
  const std::string p(prefix);
  out.set_string("junos." + p + "source-address", from.substr(0, a));
  out.set_string("junos." + p + "source-port", from.substr(a + 1));
  out.set_string("junos." + p + "destination-address", to.substr(0, b));
  out.set_string("junos." + p + "destination-port", to.substr(b + 1));
  return true;
}

// `78(6657)` into packets and bytes.
bool counts(std::string_view w, std::string_view side, core::event& out) {
  const std::size_t open = w.find('(');
  if (open == npos || w.back() != ')' || !all_digits(w.substr(0, open)) || !all_digits(w.substr(open + 1, w.size() - open - 2)))
    return false;
  out.set_string("junos.packets-from-" + std::string(side), w.substr(0, open));
  out.set_string("junos.bytes-from-" + std::string(side), w.substr(open + 1, w.size() - open - 2));
  return true;
}

}  // namespace

bool parse_junos_session(std::string_view m, core::event& out) {
  constexpr std::string_view tag = "RT_FLOW_SESSION_";
  if (m.substr(0, tag.size()) != tag) {
    // A line that kept its BSD header (no PRI): `Dec 17 08:05:30 RT_FLOW: RT_FLOW_SESSION_...`.
    const std::size_t at = core::find_text(m.substr(0, 128), ": RT_FLOW_SESSION_");
    if (at == npos) return false;
    m.remove_prefix(at + 2);
  }
  const std::size_t colon = m.find(": ");
  if (colon == npos) return false;
  const std::string_view kind = m.substr(tag.size(), colon - tag.size());
  if (kind != "CREATE" && kind != "CLOSE" && kind != "DENY") return false;
  std::string_view rest = m.substr(colon + 2);
  if (kind == "CLOSE") {  // "session closed REASON: ..."
    constexpr std::string_view closed = "session closed ";
    const std::size_t end = rest.find(": ");
    if (rest.substr(0, closed.size()) != closed || end == npos) return false;
    out.set_string("format", "junos");
    out.set_string("junos.reason", rest.substr(closed.size(), end - closed.size()));
    rest = rest.substr(end + 2);
  } else {
    const std::size_t first_flow = rest.find("->");
    const std::size_t start = first_flow == npos ? npos : rest.rfind(' ', first_flow);
    if (start == npos) return false;
    out.set_string("format", "junos");
    rest = rest.substr(start + 1);
  }
  const auto w = words(rest);
  std::size_t i = 0;
  auto skip_tag = [&] {
    if (i < w.size() && w[i].substr(0, 2) == "0x") ++i;
  };
  if (i >= w.size() || !flow(w[i++], "", out)) return true;
  skip_tag();
  if (i < w.size()) out.set_string("junos.service-name", w[i++]);
  if (kind == "DENY") {  // PROTO(ICMP-TYPE) POLICY FROM TO
    if (i < w.size()) {
      const std::string_view p = w[i++];
      out.set_string("junos.protocol-id", p.substr(0, p.find('(')));
    }
    if (i + 2 < w.size()) {
      out.set_string("junos.policy-name", w[i]);
      out.set_string("junos.source-zone-name", w[i + 1]);
      out.set_string("junos.destination-zone-name", w[i + 2]);
    }
    return true;
  }
  if (i < w.size() && flow(w[i], "nat-", out)) ++i;
  skip_tag();
  while (i < w.size() && !all_digits(w[i])) ++i;  // NAT rule columns
  if (i + 4 >= w.size()) return true;
  out.set_string("junos.protocol-id", w[i]);
  out.set_string("junos.policy-name", w[i + 1]);
  out.set_string("junos.source-zone-name", w[i + 2]);
  out.set_string("junos.destination-zone-name", w[i + 3]);
  out.set_string("junos.session-id-32", w[i + 4]);
  i += 5;
  if (kind == "CLOSE" && i + 2 < w.size() && counts(w[i], "client", out) && counts(w[i + 1], "server", out) &&
      all_digits(w[i + 2]))
    out.set_string("junos.elapsed-time", w[i + 2]);
  return true;
}

}  // namespace talaia::collectors::syslog
