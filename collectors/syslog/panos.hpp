#pragma once
// Palo Alto Networks PAN-OS CSV logs (TRAFFIC, THREAT, SYSTEM, CONFIG, and the common columns of
// every other type) into `panos.<column>` fields, column names from PAN-OS's "Syslog Field
// Descriptions" in snake_case (`panos.source_ip`, `panos.rule_name`, `panos.device_name`).
// Deviations from the documented names, for one name per meaning across types: the 5th column
// is `panos.subtype`, THREAT's Source/Destination Address are `panos.source_ip`/`destination_ip`.
// FUTURE_USE columns and columns past the known list are not turned into fields. The cloud log
// forwarder's layout (no leading FUTURE_USE, ISO times) gets its first six columns only. Pure.
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

// True when `message` looks like a PAN-OS CSV record: `<digits>,<date>,<serial>,<TYPE>,`.
bool is_panos(std::string_view message);

void parse_panos(std::string_view message, core::event& out);

}  // namespace talaia::collectors::syslog
