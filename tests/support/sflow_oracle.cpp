#include "tests/support/sflow_oracle.hpp"

#include <gtest/gtest.h>

namespace talaia::testing {

std::string json_text(const boost::json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return {};
  return it->value().is_string() ? std::string(it->value().as_string()) : boost::json::serialize(it->value());
}

void expect_sflow_sample_as_tshark(const boost::json::object& ev, const boost::json::object& w, const std::string& where) {
  EXPECT_EQ(json_text(ev, "flow_type"), "sflow") << where;
  EXPECT_EQ(json_text(ev, "exporter"), json_text(w, "agent")) << where;
  for (const char* key : {"src_ip", "dst_ip", "proto", "src_port", "dst_port", "in_if", "sampling_rate"})
    EXPECT_EQ(json_text(ev, key), json_text(w, key)) << where << ": " << key;
  EXPECT_EQ(json_text(ev, "bytes_raw"), json_text(w, "frame_length")) << where;
}

}  // namespace talaia::testing
