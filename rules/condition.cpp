#include "rules/condition.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace talaia::rules {
namespace {

using core::make_error;

constexpr std::array<std::string_view, 7> operator_words = {"and", "or", "not", "of",
                                                            "them", "all", "any"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_operator_word(std::string_view word) {
  return std::find(operator_words.begin(), operator_words.end(), word) != operator_words.end();
}

// Glob with `*` only, as used by `1 of selection_*`.
bool glob_match(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

enum class token_kind : std::uint8_t { word, open, close, end };

struct token {
  token_kind kind = token_kind::end;
  std::string_view text;
};

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back({c == '(' ? token_kind::open : token_kind::close, text.substr(i, 1)});
      ++i;
    } else {
      std::size_t start = i;
      while (i < text.size() && !is_space(text[i]) && text[i] != '(' && text[i] != ')') ++i;
      out.push_back({token_kind::word, text.substr(start, i - start)});
    }
  }
  out.push_back({token_kind::end, {}});
  return out;
}

// Recursive descent; a node index of nullopt is a dropped sub-expression (`1 of x*` selecting
// nothing).
class parser {
 public:
  parser(std::string_view text, const std::vector<std::string>& names)
      : tokens_(tokenize(text)), names_(names) {}

  core::result<condition> run() {
    if (tokens_.front().kind == token_kind::end) return make_error("condition is empty");
    for (std::size_t i = 0; i < tokens_.size(); ++i)
      if (is_aggregation(i))
        return make_error(
            "aggregation in condition ('| count() by ...', 'near') is Sigma 1 syntax: "
            "write it as a correlation rule");
    std::optional<std::uint32_t> root = parse_or();
    if (!error_.empty()) return make_error(error_);
    if (peek().kind != token_kind::end)
      return make_error("unexpected '" + std::string(peek().text) + "' in condition");
    if (!root) return make_error("condition selects no search identifier");
    condition c;
    c.nodes = std::move(nodes_);
    c.root = *root;
    return c;
  }

 private:
  const token& peek() const { return tokens_[pos_]; }

  // Sigma 1 aggregations: `sel | count() by x > 5`, `a | near b`, or a bare `count(x) > 5`.
  bool is_aggregation(std::size_t i) const {
    const token& t = tokens_[i];
    if (t.kind != token_kind::word) return false;
    std::string word = to_lower(t.text);
    if (word.find('|') != std::string::npos || word == "near") return true;
    bool is_function = word == "count" || word == "min" || word == "max" || word == "avg" ||
                       word == "sum";
    return is_function && i + 1 < tokens_.size() && tokens_[i + 1].kind == token_kind::open &&
           tokens_[i + 1].text.data() == t.text.data() + t.text.size();
  }

  bool failed() const { return !error_.empty(); }

  std::optional<std::uint32_t> fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return std::nullopt;
  }

  // True when the next token is the (lowercase) operator `word`; reports upper/mixed case.
  bool at_operator(std::string_view word) {
    const token& t = peek();
    if (t.kind != token_kind::word) return false;
    if (t.text == word) return true;
    if (to_lower(t.text) == word && !is_defined(t.text))
      fail("operator must be lowercase: " + std::string(t.text));
    return false;
  }

  bool is_defined(std::string_view name) const {
    return std::find(names_.begin(), names_.end(), name) != names_.end();
  }

  std::uint32_t add(condition_node n) {
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::optional<std::uint32_t> combine(condition_op op, std::vector<std::uint32_t> children) {
    if (children.empty()) return std::nullopt;
    if (children.size() == 1) return children.front();
    return add({op, 0, std::move(children)});
  }

  std::optional<std::uint32_t> parse_or() {
    std::vector<std::uint32_t> children;
    for (;;) {
      std::optional<std::uint32_t> child = parse_and();
      if (failed()) return std::nullopt;
      if (child) children.push_back(*child);
      if (!at_operator("or")) break;
      ++pos_;
    }
    if (failed()) return std::nullopt;
    return combine(condition_op::any, std::move(children));
  }

  std::optional<std::uint32_t> parse_and() {
    std::vector<std::uint32_t> children;
    for (;;) {
      std::optional<std::uint32_t> child = parse_unary();
      if (failed()) return std::nullopt;
      if (child) children.push_back(*child);
      if (!at_operator("and")) break;
      ++pos_;
    }
    if (failed()) return std::nullopt;
    return combine(condition_op::all, std::move(children));
  }

  std::optional<std::uint32_t> parse_unary() {
    if (depth_ >= max_depth) return fail("condition nested too deeply");
    ++depth_;
    std::optional<std::uint32_t> node = parse_unary_at_depth();
    --depth_;
    return node;
  }

  std::optional<std::uint32_t> parse_unary_at_depth() {
    const token& t = peek();
    if (t.kind == token_kind::end) return fail("condition ends where an identifier was expected");
    if (t.kind == token_kind::close) return fail("unexpected ')' in condition");
    if (t.kind == token_kind::open) {
      ++pos_;
      std::optional<std::uint32_t> inner = parse_or();
      if (failed()) return std::nullopt;
      if (peek().kind != token_kind::close) return fail("expected ')' in condition");
      ++pos_;
      return inner;
    }
    if (at_operator("not")) {
      ++pos_;
      std::optional<std::uint32_t> inner = parse_unary();
      if (!inner) return std::nullopt;
      return add({condition_op::negate, 0, {*inner}});
    }
    if (failed()) return std::nullopt;
    return parse_word();
  }

  std::optional<std::uint32_t> parse_word() {
    std::string_view word = peek().text;
    if (word == "1" || word == "any" || word == "all") return parse_quantifier();
    if (to_lower(word) == "any" || to_lower(word) == "all")
      return fail("operator must be lowercase: " + std::string(word));
    if (pos_ + 1 < tokens_.size() && tokens_[pos_ + 1].kind == token_kind::word &&
        to_lower(tokens_[pos_ + 1].text) == "of")
      return fail("unsupported quantifier '" + std::string(word) +
                  " of': use '1 of', 'any of' or 'all of'");
    if (is_operator_word(to_lower(word)) && !is_defined(word)) {
      if (word != to_lower(word)) return fail("operator must be lowercase: " + std::string(word));
      return fail("unexpected '" + std::string(word) + "' in condition");
    }
    ++pos_;
    auto it = std::find(names_.begin(), names_.end(), word);
    if (it == names_.end())
      return fail("undefined search identifier '" + std::string(word) + "' in condition");
    return add({condition_op::search, static_cast<std::uint32_t>(it - names_.begin()), {}});
  }

  std::optional<std::uint32_t> parse_quantifier() {
    condition_op op = peek().text == "all" ? condition_op::all : condition_op::any;
    std::string quantifier(peek().text);
    ++pos_;
    if (!at_operator("of")) {
      if (failed()) return std::nullopt;
      return fail("expected 'of' after '" + quantifier + "' in condition");
    }
    ++pos_;
    const token& target = peek();
    if (target.kind != token_kind::word)
      return fail("expected an identifier pattern or 'them' after '" + quantifier + " of'");
    std::string_view pattern = target.text;
    if (to_lower(pattern) == "them" && pattern != "them")
      return fail("operator must be lowercase: " + std::string(pattern));
    ++pos_;
    std::vector<std::uint32_t> children;
    for (std::size_t i = 0; i < names_.size(); ++i) {
      bool selected = pattern == "them" ? !names_[i].starts_with('_') : glob_match(pattern, names_[i]);
      if (selected) children.push_back(add({condition_op::search, static_cast<std::uint32_t>(i), {}}));
    }
    if (children.empty() && pattern.find('*') == std::string_view::npos && pattern != "them")
      return fail("undefined search identifier '" + std::string(pattern) + "' in condition");
    return combine(op, std::move(children));
  }

  std::vector<token> tokens_;
  const std::vector<std::string>& names_;
  static constexpr int max_depth = 256;  // parentheses and `not`; keeps recursion bounded
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::vector<condition_node> nodes_;
  std::string error_;
};

}  // namespace

core::result<condition> parse_condition(std::string_view text,
                                        const std::vector<std::string>& search_names) {
  return parser(text, search_names).run();
}

core::result<condition> parse_conditions(const std::vector<std::string>& texts,
                                         const std::vector<std::string>& search_names) {
  if (texts.empty()) return make_error("condition is empty");
  if (texts.size() == 1) return parse_condition(texts.front(), search_names);
  condition merged;
  condition_node top{condition_op::any, 0, {}};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    core::result<condition> one = parse_condition(texts[i], search_names);
    if (!one) return make_error("condition " + std::to_string(i + 1) + ": " + one.err().message);
    auto offset = static_cast<std::uint32_t>(merged.nodes.size());
    for (condition_node& n : one->nodes) {
      for (std::uint32_t& child : n.children) child += offset;
      merged.nodes.push_back(std::move(n));
    }
    top.children.push_back(one->root + offset);
  }
  merged.nodes.push_back(std::move(top));
  merged.root = static_cast<std::uint32_t>(merged.nodes.size() - 1);
  return merged;
}

bool has_negation(const condition& c) {
  return std::any_of(c.nodes.begin(), c.nodes.end(),
                     [](const condition_node& n) { return n.op == condition_op::negate; });
}

}  // namespace talaia::rules
