#include "rules/condition.hpp"

#include <gtest/gtest.h>

#include <map>

namespace talaia::rules {
namespace {

const std::vector<std::string> names = {"selection", "sel_a", "sel_b", "filter_main", "filter_x",
                                        "_private", "keywords"};

// Parses `text` and evaluates it with the identifiers in `truths` true, every other one false.
bool eval(std::string_view text, std::initializer_list<std::string_view> truths) {
  core::result<condition> c = parse_condition(text, names);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.err().message);
  if (!c) return false;
  return evaluate(*c, [&](std::uint32_t i) {
    for (std::string_view t : truths)
      if (names[i] == t) return true;
    return false;
  });
}

std::string parse_error(std::string_view text) {
  core::result<condition> c = parse_condition(text, names);
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? std::string() : c.err().message;
}

TEST(condition, identifier) {
  EXPECT_TRUE(eval("selection", {"selection"}));
  EXPECT_FALSE(eval("selection", {}));
}

TEST(condition, and_or_not) {
  EXPECT_TRUE(eval("sel_a and sel_b", {"sel_a", "sel_b"}));
  EXPECT_FALSE(eval("sel_a and sel_b", {"sel_a"}));
  EXPECT_TRUE(eval("sel_a or sel_b", {"sel_b"}));
  EXPECT_FALSE(eval("sel_a or sel_b", {}));
  EXPECT_TRUE(eval("not sel_a", {}));
  EXPECT_FALSE(eval("not sel_a", {"sel_a"}));
  EXPECT_TRUE(eval("not not sel_a", {"sel_a"}));
}

TEST(condition, precedence_is_not_then_and_then_or) {
  // sel_a or (sel_b and selection)
  EXPECT_TRUE(eval("sel_a or sel_b and selection", {"sel_a"}));
  EXPECT_FALSE(eval("sel_a or sel_b and selection", {"sel_b"}));
  // (not sel_a) and sel_b
  EXPECT_TRUE(eval("not sel_a and sel_b", {"sel_b"}));
  EXPECT_FALSE(eval("not sel_a and sel_b", {"sel_a", "sel_b"}));
}

TEST(condition, parentheses_override_precedence) {
  EXPECT_FALSE(eval("(sel_a or sel_b) and selection", {"sel_a"}));
  EXPECT_TRUE(eval("(sel_a or sel_b) and selection", {"sel_b", "selection"}));
  EXPECT_TRUE(eval("not (sel_a and sel_b)", {"sel_a"}));
  EXPECT_FALSE(eval("not (sel_a or sel_b)", {"sel_b"}));
  EXPECT_TRUE(eval("((selection))", {"selection"}));
}

TEST(condition, one_of_and_any_of) {
  EXPECT_TRUE(eval("1 of sel_*", {"sel_b"}));
  EXPECT_FALSE(eval("1 of sel_*", {"selection"}));  // `selection` does not match `sel_*`
  EXPECT_TRUE(eval("any of sel_*", {"sel_a"}));
  EXPECT_TRUE(eval("1 of sel*", {"selection"}));
  EXPECT_TRUE(eval("1 of selection", {"selection"}));
}

TEST(condition, all_of) {
  EXPECT_TRUE(eval("all of sel_*", {"sel_a", "sel_b"}));
  EXPECT_FALSE(eval("all of sel_*", {"sel_a"}));
  EXPECT_TRUE(eval("all of filter_* and selection", {"filter_main", "filter_x", "selection"}));
}

TEST(condition, them_skips_underscore_identifiers) {
  EXPECT_TRUE(eval("1 of them", {"keywords"}));
  EXPECT_FALSE(eval("1 of them", {"_private"}));
  EXPECT_TRUE(eval("all of them",
                   {"selection", "sel_a", "sel_b", "filter_main", "filter_x", "keywords"}));
  EXPECT_FALSE(eval("all of them", {"selection", "sel_a", "sel_b", "filter_main", "keywords"}));
}

TEST(condition, typical_sigma_filters) {
  EXPECT_TRUE(eval("selection and not 1 of filter_*", {"selection"}));
  EXPECT_FALSE(eval("selection and not 1 of filter_*", {"selection", "filter_x"}));
}

TEST(condition, quantifier_selecting_nothing_is_dropped) {
  EXPECT_TRUE(eval("selection and not 1 of optional_*", {"selection"}));
  EXPECT_FALSE(eval("selection or 1 of optional_*", {}));
  EXPECT_EQ(parse_error("1 of optional_*"), "condition selects no search identifier");
}

TEST(condition, list_of_conditions_is_their_or) {
  core::result<condition> c = parse_conditions({"sel_a and sel_b", "selection"}, names);
  ASSERT_TRUE(c.ok());
  auto truth = [&](std::initializer_list<std::string_view> on) {
    return evaluate(*c, [&](std::uint32_t i) {
      for (std::string_view t : on)
        if (names[i] == t) return true;
      return false;
    });
  };
  EXPECT_TRUE(truth({"selection"}));
  EXPECT_TRUE(truth({"sel_a", "sel_b"}));
  EXPECT_FALSE(truth({"sel_a"}));
  core::result<condition> bad = parse_conditions({"selection", "nope"}, names);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().message, "condition 2: undefined search identifier 'nope' in condition");
}

TEST(condition, has_negation) {
  EXPECT_TRUE(has_negation(parse_condition("selection and not sel_a", names).value()));
  EXPECT_FALSE(has_negation(parse_condition("selection and sel_a", names).value()));
}

TEST(condition, operators_must_be_lowercase) {
  EXPECT_EQ(parse_error("selection AND sel_a"), "operator must be lowercase: AND");
  EXPECT_EQ(parse_error("selection Or sel_a"), "operator must be lowercase: Or");
  EXPECT_EQ(parse_error("NOT selection"), "operator must be lowercase: NOT");
  EXPECT_EQ(parse_error("ALL of sel_*"), "operator must be lowercase: ALL");
  EXPECT_EQ(parse_error("1 OF sel_*"), "operator must be lowercase: OF");
  EXPECT_EQ(parse_error("1 of THEM"), "operator must be lowercase: THEM");
}

TEST(condition, undefined_identifier) {
  EXPECT_EQ(parse_error("selection and filter"),
            "undefined search identifier 'filter' in condition");
  EXPECT_EQ(parse_error("1 of filter"), "undefined search identifier 'filter' in condition");
}

TEST(condition, aggregations_point_to_correlation_rules) {
  for (std::string_view text : {"selection | count() by src_ip > 5", "selection | count() > 10",
                                "sel_a | near sel_b", "selection|count()",
                                "count(sel_a) by host > 200 and not sel_b"}) {
    std::string message = parse_error(text);
    EXPECT_NE(message.find("write it as a correlation rule"), std::string::npos) << message;
  }
}

TEST(condition, syntax_errors) {
  EXPECT_EQ(parse_error(""), "condition is empty");
  EXPECT_EQ(parse_error("   "), "condition is empty");
  EXPECT_EQ(parse_error("(selection"), "expected ')' in condition");
  EXPECT_EQ(parse_error("selection)"), "unexpected ')' in condition");
  EXPECT_EQ(parse_error("selection sel_a"), "unexpected 'sel_a' in condition");
  EXPECT_EQ(parse_error("selection and"), "condition ends where an identifier was expected");
  EXPECT_EQ(parse_error("not"), "condition ends where an identifier was expected");
  EXPECT_EQ(parse_error("1 sel_*"), "expected 'of' after '1' in condition");
  EXPECT_EQ(parse_error("1 of"), "expected an identifier pattern or 'them' after '1 of'");
  EXPECT_EQ(parse_error("2 of sel_*"), "unsupported quantifier '2 of': use '1 of', 'any of' or 'all of'");
  EXPECT_EQ(parse_error("and selection"), "unexpected 'and' in condition");
  EXPECT_EQ(parse_error(std::string(100000, '(') + "selection" + std::string(100000, ')')),
            "condition nested too deeply");
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_EQ(parse_error(nots + "selection"), "condition nested too deeply");
  EXPECT_TRUE(eval(std::string(100, '(') + "selection" + std::string(100, ')'), {"selection"}));
}

}  // namespace
}  // namespace talaia::rules
