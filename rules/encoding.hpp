#pragma once
// The value-rewriting modifiers of Sigma, applied to a parsed value in the order written:
// `wide`/`utf16le`, `utf16be`, `utf16` (UTF-16 with a little-endian byte order mark), `base64`,
// `base64offset` and `windash`. Pure functions, no allocation beyond their results.
#include <string>
#include <string_view>
#include <vector>

#include "rules/pattern.hpp"

namespace talaia::rules {

enum class utf16_form : std::uint8_t { le, be, le_bom };

// Encodes each literal run (read as UTF-8; a byte that is not UTF-8 counts as U+0080..U+00FF)
// as UTF-16; wildcards stay wildcards.
sigma_string to_utf16(const sigma_string& s, utf16_form form);

// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);

// The three forms `bytes` takes inside a longer base64 text, depending on its offset modulo 3,
// trimmed of the characters that depend on what surrounds it (pySigma's base64offset).
std::vector<std::string> base64_offsets(std::string_view bytes);

// Turns every `-` or `/` that starts an option (a non-word character or the start before it, a
// word character after it, as pySigma's `\B[-/]\b`) into a dash class that also matches `/`,
// `-`, en dash, em dash and horizontal bar.
sigma_string windash(const sigma_string& s);

}  // namespace talaia::rules
