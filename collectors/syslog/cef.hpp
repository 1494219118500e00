#pragma once
// ArcSight CEF and IBM QRadar LEEF 1.0/2.0 inside a syslog message. Pure, never throws.
//
// CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
//   header fields: `\|` and `\\` undone; extension `key=value` pairs (values may hold spaces)
//   with `\=`, `\\`, `\n`, `\r` undone (any other backslash is kept: `\|` stays `\|`).
//   Fields: cef.version, cef.device_vendor, cef.device_product, cef.device_version,
//   cef.signature_id, cef.name, cef.severity, then cef.<key> per extension pair.
// LEEF:Version|Vendor|Product|Version|EventID|[Delimiter|]Attributes
//   1.0 separates attributes with TAB; 2.0 may declare a delimiter (a character, or its code as
//   `0x5E`/`x5E`). Without a declared delimiter and without a TAB, pairs are space-separated as
//   in CEF. A backslash before the delimiter keeps it in the value; nothing else is unescaped.
//   Fields: leef.version, leef.vendor, leef.product, leef.product_version, leef.event_id,
//   leef.delimiter (when declared), then leef.<key> per attribute.
#include <cstddef>
#include <string_view>

#include "core/event.hpp"

namespace talaia::collectors::syslog {

// Where the text after `CEF:` / `LEEF:` starts in `message` (the prefix at its start or after a
// space, followed by an optional space and a digit), or npos.
std::size_t find_cef(std::string_view message);
std::size_t find_leef(std::string_view message);
// Both at once, in one pass over the message's `F`s (most lines have neither): `leef` is only
// looked for until a CEF is found (a CEF wins), so it is npos whenever `cef` is not.
struct cef_or_leef {
  std::size_t cef = std::string_view::npos, leef = std::string_view::npos;
};
cef_or_leef find_cef_or_leef(std::string_view message);

// `text` is what follows `CEF:` / `LEEF:` (spaces before the version are skipped). Return false
// when the header is incomplete (the fields read so far are set).
bool parse_cef(std::string_view text, core::event& out);
bool parse_leef(std::string_view text, core::event& out);

}  // namespace talaia::collectors::syslog
