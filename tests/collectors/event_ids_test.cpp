#include "collectors/event_ids.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/json.hpp"

namespace talaia::collectors {
namespace {

TEST(event_ids, ids_are_the_node_the_start_and_a_sequence_and_never_repeat) {
  event_ids ids("node-1", 0x10);
  EXPECT_EQ(ids.next(), "node-1-10-0");
  EXPECT_EQ(ids.next(), "node-1-10-1");
  EXPECT_EQ(ids.take(24), 2u);  // a batch: 2..25
  EXPECT_EQ(ids.next(), "node-1-10-26");
}

// append_id_member must write what append_string_member writes with the id next_into gives,
// whatever the node id holds (quotes, backslashes, control bytes, UTF-8) and whatever object.
TEST(event_ids, the_id_member_is_written_as_append_string_member_writes_it) {
  // Node ids of 36-38 characters put the member's start (`"id":"`, the node, "-4d2-") either side
  // of the 48 bytes write_id_member copies at a fixed size; 100, well beyond.
  for (const std::string& node : {std::string("n"), std::string("a\"b\\c"), std::string("tab\there\x01"), std::string("ñode"),
                                 std::string(), std::string(36, 'x'), std::string(37, 'y'), std::string(38, 'z'),
                                 std::string(100, 'w'), std::string(20, '\x02')}) {
    for (const std::string& object : {std::string(R"({"kind":"flow","bytes":1})"), std::string("{}"), std::string()}) {
      event_ids ours(node, 1234), reference(node, 1234);
      for (int i = 0; i < 3; ++i) {
        std::string expected = object, got = object, id;
        reference.next_into(id);
        core::append_string_member(expected, "id", id);
        ours.append_id_member(got, ours.take(1));
        EXPECT_EQ(got, expected) << "node " << node << ", object " << object;
      }
    }
  }
}

}  // namespace
}  // namespace talaia::collectors
