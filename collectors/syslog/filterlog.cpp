#include "collectors/syslog/filterlog.hpp"

#include <string>
#include <vector>

namespace talaia::collectors::syslog {
namespace {

void set_all(const std::vector<std::string_view>& columns, std::size_t from,
             std::initializer_list<std::string_view> names, core::event& out) {
  std::string name;
  std::size_t i = from;
  for (std::string_view n : names) {
    if (i >= columns.size()) return;
    if (!columns[i].empty()) out.set_string(name.assign("filterlog.").append(n), columns[i]);
    ++i;
  }
}

}  // namespace

bool parse_filterlog(std::string_view m, core::event& out) {
  std::vector<std::string_view> c;
  for (std::size_t pos = 0;;) {
    const std::size_t comma = m.find(',', pos);
    c.push_back(m.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  set_all(c, 0, {"rule_number", "sub_rule_number", "anchor", "tracker", "interface", "reason", "action",
                 "direction", "ip_version"}, out);
  if (c.size() < 9) return false;
  std::size_t next = 0;
  std::string_view protocol;
  if (c[8] == "4") {
    set_all(c, 9, {"tos", "ecn", "ttl", "id", "offset", "flags", "protocol_id", "protocol"}, out);
    if (c.size() < 17) return false;
    protocol = c[16];
    next = 17;
  } else if (c[8] == "6") {
    set_all(c, 9, {"class", "flow_label", "hop_limit", "protocol", "protocol_id"}, out);
    if (c.size() < 14) return false;
    protocol = c[12];
    next = 14;
  } else {
    return false;
  }
  set_all(c, next, {"length", "source_ip", "destination_ip"}, out);
  if (c.size() < next + 3) return false;
  next += 3;
  if (protocol == "tcp" || protocol == "udp") {
    set_all(c, next, {"source_port", "destination_port", "data_length"}, out);
    if (protocol == "tcp")
      set_all(c, next + 3, {"tcp_flags", "sequence_number", "ack", "window", "urg", "options"}, out);
  } else if (protocol == "icmp" || protocol == "ipv6-icmp") {
    if (next < c.size()) {
      constexpr std::string_view data_length = "datalength=";
      if (c[next].substr(0, data_length.size()) == data_length) {
        out.set_string("filterlog.data_length", c[next].substr(data_length.size()));
      } else {
        set_all(c, next, {"icmp_type"}, out);
        if (next + 1 < c.size()) {
          const std::size_t from = static_cast<std::size_t>(c[next + 1].data() - m.data());
          out.set_string("filterlog.icmp_data", m.substr(from));
        }
      }
    }
  } else if (protocol == "carp") {
    set_all(c, next, {"carp_type", "carp_ttl", "vhid", "version", "advskew", "advbase"}, out);
  } else if (next < c.size()) {
    constexpr std::string_view data_length = "datalength=";
    if (c[next].substr(0, data_length.size()) == data_length)
      out.set_string("filterlog.data_length", c[next].substr(data_length.size()));
  }
  return true;
}

}  // namespace talaia::collectors::syslog
