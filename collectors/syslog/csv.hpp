#pragma once
// Comma-separated fields as Palo Alto and pfSense write them: a field in double quotes may hold
// commas, and `""` inside it is one `"`. Pure and header-only; never throws.
#include <cstddef>
#include <string>
#include <string_view>

namespace talaia::collectors::syslog {

// Calls on_field(index, value) for each field; `scratch` holds unquoted values. Returns the
// number of fields.
template <typename F>
std::size_t for_each_csv_field(std::string_view s, std::string& scratch, F&& on_field) {
  std::size_t index = 0;
  std::size_t pos = 0;
  for (;;) {
    if (pos < s.size() && s[pos] == '"') {
      scratch.clear();
      std::size_t i = pos + 1;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            scratch.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        scratch.push_back(s[i++]);
      }
      if (closed && (i == s.size() || s[i] == ',')) {
        on_field(index++, std::string_view(scratch));
        if (i == s.size()) return index;
        pos = i + 1;
        continue;
      }
      // A stray quote: read the field as plain text.
    }
    std::size_t comma = s.find(',', pos);
    if (comma == std::string_view::npos) comma = s.size();
    on_field(index++, s.substr(pos, comma - pos));
    if (comma == s.size()) return index;
    pos = comma + 1;
  }
}

}  // namespace talaia::collectors::syslog
