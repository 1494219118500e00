#pragma once
// The zone of a source whose timestamps carry none (RFC 3164 `Mmm dd hh:mm:ss`, RFC 3339
// without offset, Cisco clocks with an unknown abbreviation). A fixed offset or an IANA zone
// read from a TZif file (Debian's /usr/share/zoneinfo is "fat": explicit transitions to 2037;
// later times keep the last offset). Immutable once made; share it by const pointer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace talaia::collectors::syslog {

class time_zone {
 public:
  // "UTC", "+02:00" / "-0530" / "+2", or an IANA name looked up under `zoneinfo_dir`.
  static core::result<time_zone> make(std::string_view name,
                                      const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
  static time_zone fixed(std::int32_t offset_seconds, std::string name = {});
  // A TZif (RFC 8536) file's bytes; nullopt when they are not one.
  static std::optional<time_zone> from_tzif(std::string_view bytes, std::string name = {});

  const std::string& name() const { return name_; }
  // Offset from UTC in seconds at the UTC instant `utc_seconds`.
  std::int32_t offset_at(std::int64_t utc_seconds) const;
  // A local wall-clock time (microseconds as if it were UTC) to UTC. In the hour a DST change
  // repeats, the earlier instant; in the hour it skips, the time read with the offset before.
  std::int64_t to_utc(std::int64_t local_micros) const;

 private:
  std::string name_;
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<std::int32_t> offsets_;      // offsets_[i] holds after transitions_[i - 1]
};

// A fixed offset written "+hh:mm", "-hhmm", "+h" or "Z"; nullopt otherwise.
std::optional<std::int32_t> parse_utc_offset(std::string_view text);

// Offset of a zone abbreviation network devices print after their clock (UTC, GMT, EST, CEST,
// MEST, ...), case-insensitive; nullopt for one it does not know (then the source's zone applies).
std::optional<std::int32_t> abbreviation_offset(std::string_view abbreviation);

}  // namespace talaia::collectors::syslog
