#pragma once
// Syslog header timestamps: RFC 3339 (RFC 5424, and the "high precision" BSD form) and the
// RFC 3164 `Mmm dd hh:mm:ss`. Pure functions over untrusted bytes: they never throw.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace talaia::collectors::syslog {

// An RFC 3339 timestamp as microseconds since the epoch (UTC). Any number of fractional
// digits (kept to microseconds), `Z` or ±hh:mm; a timestamp without an offset is taken as
// UTC. The day must exist in its month (no 2023-02-30).
std::optional<std::int64_t> parse_iso_timestamp(std::string_view text);

// True when an RFC 3339 timestamp carries `Z` or an offset after its time.
bool iso_has_offset(std::string_view text);

// True when `text` starts like an RFC 3339 date: four digits and a dash.
bool starts_like_iso_date(std::string_view text);

// Outcome of reading an RFC 3164 timestamp at the start of a header.
struct bsd_timestamp {
  enum class status : std::uint8_t {
    absent,   // no timestamp there (nothing consumed)
    invalid,  // a month name starts it but the rest is malformed or out of range
    valid,
  };
  status state = status::absent;
  std::size_t length = 0;  // bytes consumed (for valid, and for invalid when the shape was whole)
  std::int64_t micros = 0;  // valid only
};

// Reads `Mmm dd hh:mm:ss` (month case-insensitive, day space-padded or single-digit), with an
// optional fraction of a second, an optional year before the time (`Mmm dd yyyy hh:mm:ss`, as
// Cisco sends) and an optional trailing `:`. The time is local time without zone and is taken
// as UTC. The year is `default_year`, or, when that is 0, inferred from `received_micros`: the
// date is placed in the year that puts it between 11 months before and 1 month after receipt.
// An invalid result with length 0 means the shape itself was broken.
bsd_timestamp parse_bsd_timestamp(std::string_view text, std::int64_t received_micros,
                                  int default_year);

}  // namespace talaia::collectors::syslog
