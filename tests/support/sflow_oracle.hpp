#pragma once
// Comparing a Talaia sFlow flow event with tshark's reading of the same flow sample (the oracle
// of the sFlow decoding tests: `talaia decode` of a capture, and the live listener).
#include <boost/json.hpp>

#include <string>

namespace talaia::testing {

// A member as text: strings as they are, numbers and the rest as JSON; empty when absent or null.
std::string json_text(const boost::json::object& o, const char* key);

// Expects `event` (a flow event as JSON) to carry `sample`'s (tshark's) agent, 5-tuple, input
// interface, sampling rate and frame length; `where` names the sample in failure messages.
void expect_sflow_sample_as_tshark(const boost::json::object& event, const boost::json::object& sample,
                                   const std::string& where);

}  // namespace talaia::testing
