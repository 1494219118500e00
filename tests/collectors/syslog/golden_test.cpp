// Golden files: real lines (tests/data/syslog/*.log) go through the LF framer, in small
// chunks, and the parser; the events must match *.expected exactly. After a deliberate change,
// regenerate with TALAIA_UPDATE_GOLDEN=1 and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "collectors/syslog/lf_framer.hpp"
#include "collectors/syslog/parser.hpp"
#include "core/clock.hpp"

namespace talaia::collectors::syslog {
namespace {

const std::string data_dir = TALAIA_SYSLOG_TEST_DATA;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const char* type_name(core::field_type t) {
  switch (t) {
    case core::field_type::string: return "string";
    case core::field_type::integer: return "integer";
    case core::field_type::ip: return "ip";
    case core::field_type::time: return "time";
  }
  return "?";
}

// One block per frame: "# frame N", then "name<TAB>type<TAB>text" per field, then a blank line.
std::string render(const std::string& input) {
  const parse_context ctx{core::parse_rfc3339("2026-01-15T12:00:00Z").value(), "192.0.2.1", 0};
  std::string out;
  int n = 0;
  auto on_frame = [&](std::string_view frame, bool truncated) {
    core::event e;
    parse(frame, ctx, e);
    out += "# frame " + std::to_string(++n) + (truncated ? " (truncated)" : "") + "\n";
    for (const auto& f : e.fields())
      out += f.name + "\t" + type_name(f.type) + "\t" + f.text + "\n";
    out += "\n";
  };
  lf_framer framer;
  constexpr std::size_t chunk = 7;
  for (std::size_t i = 0; i < input.size(); i += chunk)
    framer.feed(std::string_view(input).substr(i, chunk), on_frame);
  framer.finish(on_frame);
  return out;
}

class syslog_golden : public ::testing::TestWithParam<const char*> {};

TEST_P(syslog_golden, matches_expected) {
  const std::string base = data_dir + "/" + GetParam();
  const std::string input = read_file(base + ".log");
  ASSERT_FALSE(input.empty()) << "missing " << base << ".log";
  const std::string actual = render(input);
  if (std::getenv("TALAIA_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(base + ".expected", std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << base << ".expected";
  }
  const std::string expected = read_file(base + ".expected");
  ASSERT_FALSE(expected.empty())
      << "missing " << base << ".expected (TALAIA_UPDATE_GOLDEN=1 writes it)";
  if (actual == expected) return;
  // Point at the first differing line rather than dumping both files.
  std::istringstream a(actual), e(expected);
  std::string la, le;
  for (int line = 1;; ++line) {
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool ge = static_cast<bool>(std::getline(e, le));
    if (!ga && !ge) break;
    if (ga != ge || la != le) {
      ADD_FAILURE() << base << ".expected:" << line << "\n  expected: " << (ge ? le : "<end>")
                    << "\n  actual:   " << (ga ? la : "<end>");
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(corpus, syslog_golden,
                         ::testing::Values("rfc5424", "rfc3164", "auth", "syslog_loose", "cisco_ios",
                                           "cisco_asa", "junos", "fortigate", "panos", "filterlog",
                                           "cef", "leef", "access_log"));

}  // namespace
}  // namespace talaia::collectors::syslog
