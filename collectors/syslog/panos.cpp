#include "collectors/syslog/panos.hpp"

#include <array>
#include <string>
#include <vector>

#include "collectors/syslog/csv.hpp"

namespace talaia::collectors::syslog {
namespace {

constexpr std::string_view future_use = "FUTURE_USE";

constexpr std::string_view traffic_columns[] = {
    "FUTURE_USE", "Receive Time", "Serial Number", "Type", "Subtype", "FUTURE_USE", "Generated Time",
    "Source IP", "Destination IP", "NAT Source IP", "NAT Destination IP", "Rule Name", "Source User",
    "Destination User", "Application", "Virtual System", "Source Zone", "Destination Zone",
    "Inbound Interface", "Outbound Interface", "Log Action", "FUTURE_USE", "Session ID", "Repeat Count",
    "Source Port", "Destination Port", "NAT Source Port", "NAT Destination Port", "Flags", "Protocol",
    "Action", "Bytes", "Bytes Sent", "Bytes Received", "Packets", "Start Time", "Elapsed Time", "Category",
    "FUTURE_USE", "Sequence Number", "Action Flags", "Source Location", "Destination Location",
    "FUTURE_USE", "Packets Sent", "Packets Received", "Session End Reason",
    "Device Group Hierarchy Level 1", "Device Group Hierarchy Level 2", "Device Group Hierarchy Level 3",
    "Device Group Hierarchy Level 4", "Virtual System Name", "Device Name", "Action Source",
    "Source VM UUID", "Destination VM UUID", "Tunnel ID/IMSI", "Monitor Tag/IMEI", "Parent Session ID",
    "Parent Start Time", "Tunnel Type", "SCTP Association ID", "SCTP Chunks", "SCTP Chunks Sent",
    "SCTP Chunks Received", "Rule UUID", "HTTP/2 Connection"};

constexpr std::string_view threat_columns[] = {
    "FUTURE_USE", "Receive Time", "Serial Number", "Type", "Subtype", "FUTURE_USE", "Generated Time",
    "Source IP", "Destination IP", "NAT Source IP", "NAT Destination IP", "Rule Name", "Source User",
    "Destination User", "Application", "Virtual System", "Source Zone", "Destination Zone",
    "Inbound Interface", "Outbound Interface", "Log Action", "FUTURE_USE", "Session ID", "Repeat Count",
    "Source Port", "Destination Port", "NAT Source Port", "NAT Destination Port", "Flags", "Protocol",
    "Action", "URL/Filename", "Threat ID", "Category", "Severity", "Direction", "Sequence Number",
    "Action Flags", "Source Location", "Destination Location", "FUTURE_USE", "Content Type", "PCAP_ID",
    "File Digest", "Cloud", "URL Index", "User Agent", "File Type", "X-Forwarded-For", "Referer", "Sender",
    "Subject", "Recipient", "Report ID", "Device Group Hierarchy Level 1", "Device Group Hierarchy Level 2",
    "Device Group Hierarchy Level 3", "Device Group Hierarchy Level 4", "Virtual System Name", "Device Name",
    "FUTURE_USE", "Source VM UUID", "Destination VM UUID", "HTTP Method", "Tunnel ID/IMSI",
    "Monitor Tag/IMEI", "Parent Session ID", "Parent Start Time", "Tunnel Type", "Threat Category",
    "Content Version", "FUTURE_USE", "SCTP Association ID", "Payload Protocol ID", "HTTP Headers",
    "URL Category List", "Rule UUID", "HTTP/2 Connection", "Dynamic User Group Name"};

constexpr std::string_view system_columns[] = {
    "FUTURE_USE", "Receive Time", "Serial Number", "Type", "Subtype", "FUTURE_USE", "Generated Time",
    "Virtual System", "Event ID", "Object", "FUTURE_USE", "FUTURE_USE", "Module", "Severity", "Description",
    "Sequence Number", "Action Flags", "Device Group Hierarchy Level 1", "Device Group Hierarchy Level 2",
    "Device Group Hierarchy Level 3", "Device Group Hierarchy Level 4", "Virtual System Name", "Device Name"};

// CONFIG before PAN-OS 8.0 (without the change details) and since.
constexpr std::string_view config_columns_7[] = {
    "FUTURE_USE", "Receive Time", "Serial Number", "Type", "Subtype", "FUTURE_USE", "Generated Time", "Host",
    "Virtual System", "Command", "Admin", "Client", "Result", "Configuration Path", "Sequence Number",
    "Action Flags", "Device Group Hierarchy Level 1", "Device Group Hierarchy Level 2",
    "Device Group Hierarchy Level 3", "Device Group Hierarchy Level 4", "Virtual System Name", "Device Name"};
constexpr std::string_view config_columns_8[] = {
    "FUTURE_USE", "Receive Time", "Serial Number", "Type", "Subtype", "FUTURE_USE", "Generated Time", "Host",
    "Virtual System", "Command", "Admin", "Client", "Result", "Configuration Path", "Before Change Detail",
    "After Change Detail", "Sequence Number", "Action Flags", "Device Group Hierarchy Level 1",
    "Device Group Hierarchy Level 2", "Device Group Hierarchy Level 3", "Device Group Hierarchy Level 4",
    "Virtual System Name", "Device Name"};

constexpr std::string_view common_columns[] = {"FUTURE_USE", "Receive Time", "Serial Number", "Type",
                                               "Subtype",    "FUTURE_USE",   "Generated Time"};

constexpr std::string_view known_types_list[] = {"TRAFFIC", "THREAT", "SYSTEM", "CONFIG", "HIPMATCH", "CORRELATION",
                                            "USERID", "GLOBALPROTECT", "DECRYPTION", "AUTHENTICATION",
                                            "TUNNEL", "IPTAG", "SCTP", "GTP"};

// "Source IP" -> "panos.source_ip"; FUTURE_USE -> "".
std::string field_name(std::string_view column) {
  if (column == future_use) return {};
  std::string name = "panos.";
  bool gap = false;
  for (char c : column) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      gap = true;
      continue;
    }
    if (gap && name.size() > 6) name.push_back('_');
    gap = false;
    name.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return name;
}

template <std::size_t N>
std::vector<std::string> names_of(const std::string_view (&columns)[N]) {
  std::vector<std::string> names;
  for (std::string_view c : columns) names.push_back(field_name(c));
  return names;
}

const std::vector<std::string>& columns_for(std::string_view type, std::size_t count) {
  static const auto traffic = names_of(traffic_columns);
  static const auto threat = names_of(threat_columns);
  static const auto system = names_of(system_columns);
  static const auto config7 = names_of(config_columns_7);
  static const auto config8 = names_of(config_columns_8);
  static const auto common = names_of(common_columns);
  if (type == "TRAFFIC") return traffic;
  if (type == "THREAT") return threat;
  if (type == "SYSTEM") return system;
  if (type == "CONFIG") return count >= std::size(config_columns_8) ? config8 : config7;
  return common;
}

bool known_type(std::string_view type) {
  for (std::string_view t : known_types_list)
    if (type == t) return true;
  return false;
}

// The column of the type: 3 in the classic layout (`1,<receive time>,<serial>,TYPE,`), 2 in the
// cloud log forwarder's (`<receive time>,<serial>,TYPE,`, no leading FUTURE_USE); npos otherwise.
std::size_t type_column(std::string_view m) {
  std::string_view columns[4];
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t comma = m.find(',', pos);
    if (comma == std::string_view::npos) return std::string_view::npos;
    columns[i] = m.substr(pos, comma - pos);
    pos = comma + 1;
  }
  const bool leading_number = !columns[0].empty() && columns[0].find_first_not_of("0123456789") == std::string_view::npos;
  if (leading_number && known_type(columns[3])) return 3;
  if (columns[0].size() >= 10 && columns[0][4] == '-' && known_type(columns[2])) return 2;
  return std::string_view::npos;
}

}  // namespace

bool is_panos(std::string_view m) {
  while (!m.empty() && m.front() == ' ') m.remove_prefix(1);
  // type_column's first column is all digits, or ten bytes or more with a '-' at [4].
  if (m.empty() || (!(m[0] >= '0' && m[0] <= '9') && (m.size() < 5 || m[4] != '-'))) return false;
  return type_column(m) != std::string_view::npos;
}

void parse_panos(std::string_view m, core::event& out) {
  while (!m.empty() && m.front() == ' ') m.remove_prefix(1);
  while (!m.empty() && m.back() == ' ') m.remove_suffix(1);
  const std::size_t type_at = type_column(m);
  if (type_at == std::string_view::npos) return;
  const std::size_t shift = 3 - type_at;  // cloud layout: one column fewer in front
  std::string scratch;
  std::size_t count = 0;
  std::string type;
  for_each_csv_field(m, scratch, [&](std::size_t i, std::string_view v) {
    if (i == type_at) type.assign(v);
    count = i + 1;
  });
  // The cloud layout's later columns differ from the documented ones: only the common ones.
  const std::vector<std::string>& names = columns_for(shift == 0 ? std::string_view(type) : "", count + shift);
  for_each_csv_field(m, scratch, [&](std::size_t i, std::string_view v) {
    const std::size_t column = i + shift;
    if (column < names.size() && !names[column].empty() && !v.empty()) out.set_string(names[column], v);
  });
}

}  // namespace talaia::collectors::syslog
