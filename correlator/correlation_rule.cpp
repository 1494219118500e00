#include "correlator/correlation_rule.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace talaia::correlator {

std::string_view to_string(correlation_type t) {
  switch (t) {
    case correlation_type::event_count: return "event_count";
    case correlation_type::value_count: return "value_count";
    case correlation_type::value_sum: return "value_sum";
    case correlation_type::temporal: return "temporal";
    case correlation_type::temporal_ordered: return "temporal_ordered";
  }
  return "?";
}

bool count_condition::holds(std::int64_t n) const {
  return (!gt || n > *gt) && (!gte || n >= *gte) && (!lt || n < *lt) && (!lte || n <= *lte) && (!eq || n == *eq) &&
         (!neq || n != *neq);
}

bool count_condition::decided_at_window_close() const { return lt || lte || eq || neq; }

std::optional<std::int64_t> parse_timespan(std::string_view text) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n <= 0 || p + 1 != text.data() + text.size()) return std::nullopt;
  constexpr std::int64_t second = 1'000'000;
  switch (*p) {
    case 's': return n * second;
    case 'm': return n * 60 * second;
    case 'h': return n * 3600 * second;
    case 'd': return n * 86400 * second;
    case 'w': return n * 7 * 86400 * second;
  }
  return std::nullopt;
}

namespace {

int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

std::string scalar_or_empty(const YAML::Node& n, std::string_view key) {
  YAML::Node v = n[std::string(key)];
  return v && v.IsScalar() ? v.Scalar() : std::string();
}

struct reader {
  std::string path;
  std::vector<rules::diagnostic>& errors;
  bool ok = true;
  void fail(const YAML::Node& at, std::string message) {
    errors.push_back({path, at.IsDefined() ? line_of(at) : 0, std::move(message)});
    ok = false;
  }
};

std::optional<std::int64_t> whole_number(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  std::int64_t v = 0;
  const std::string& s = n.Scalar();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

void read_condition(reader& r, const YAML::Node& node, correlation_rule& c) {
  if (!node.IsMap()) return r.fail(node, "correlation condition must be a mapping like {gte: 10}");
  for (const auto& kv : node) {
    const std::string op = kv.first.Scalar();
    if (op == "field") {
      if (!kv.second.IsScalar()) r.fail(kv.second, "correlation condition field must be a field name");
      else c.field = kv.second.Scalar();
      continue;
    }
    auto v = whole_number(kv.second);
    if (!v) {
      r.fail(kv.second, "correlation condition " + op + " needs a whole number");
      continue;
    }
    if (op == "gt") c.condition.gt = v;
    else if (op == "gte") c.condition.gte = v;
    else if (op == "lt") c.condition.lt = v;
    else if (op == "lte") c.condition.lte = v;
    else if (op == "eq") c.condition.eq = v;
    else if (op == "neq") c.condition.neq = v;
    else r.fail(kv.first, "unknown correlation condition operator '" + op + "' (gt, gte, lt, lte, eq, neq, field)");
  }
}

std::vector<std::string> string_list(reader& r, const YAML::Node& node, const std::string& what) {
  std::vector<std::string> out;
  if (node.IsScalar()) out.push_back(node.Scalar());
  else if (node.IsSequence())
    for (const auto& item : node) {
      if (item.IsScalar()) out.push_back(item.Scalar());
      else r.fail(item, what + " must be a list of names");
    }
  else r.fail(node, what + " must be a list");
  return out;
}

std::optional<correlation_rule> read_correlation(reader& r, const YAML::Node& doc) {
  correlation_rule c;
  c.path = r.path;
  c.line = line_of(doc);
  c.id = scalar_or_empty(doc, "id");
  c.name = scalar_or_empty(doc, "name");
  c.title = scalar_or_empty(doc, "title");
  c.level = scalar_or_empty(doc, "level");
  c.author = scalar_or_empty(doc, "author");
  if (c.title.empty()) r.fail(doc, "correlation rule without title");
  if (YAML::Node tags = doc["tags"]) c.tags = string_list(r, tags, "tags");
  if (YAML::Node refs = doc["references"]; refs && !refs.IsSequence()) r.fail(refs, "references must be a list");
  else if (refs) c.references = string_list(r, refs, "references");
  if (doc["detection"]) r.fail(doc["detection"], "a rule has either detection or correlation, not both");
  const YAML::Node body = doc["correlation"];
  if (!body.IsMap()) {
    r.fail(body, "correlation must be a mapping");
    return std::nullopt;
  }
  static const std::set<std::string> known{"type", "rules", "group-by", "timespan", "condition", "aliases", "generate", "field"};
  for (const auto& kv : body)
    if (!known.count(kv.first.Scalar())) r.fail(kv.first, "unknown key '" + kv.first.Scalar() + "' in correlation");
  const std::string type = scalar_or_empty(body, "type");
  if (type == "event_count") c.type = correlation_type::event_count;
  else if (type == "value_count") c.type = correlation_type::value_count;
  else if (type == "value_sum") c.type = correlation_type::value_sum;
  else if (type == "temporal") c.type = correlation_type::temporal;
  else if (type == "temporal_ordered") c.type = correlation_type::temporal_ordered;
  else if (type.empty()) r.fail(body, "correlation without type");
  else r.fail(body["type"], "unsupported correlation type '" + type + "' (event_count, value_count, value_sum, temporal, temporal_ordered)");
  if (YAML::Node refs = body["rules"]) c.rules = string_list(r, refs, "correlation rules");
  if (c.rules.empty()) r.fail(body, "correlation without rules");
  if (YAML::Node g = body["group-by"]) c.group_by = string_list(r, g, "group-by");
  if (YAML::Node t = body["timespan"]) {
    auto span = t.IsScalar() ? parse_timespan(t.Scalar()) : std::nullopt;
    if (span) c.timespan_micros = *span;
    else r.fail(t, "timespan must look like 30s, 10m, 1h or 2d");
  } else {
    r.fail(body, "correlation without timespan");
  }
  if (YAML::Node cond = body["condition"]) read_condition(r, cond, c);
  if (YAML::Node f = body["field"]; f && f.IsScalar() && c.field.empty()) c.field = f.Scalar();
  const bool counting = c.type == correlation_type::event_count || c.type == correlation_type::value_count ||
                        c.type == correlation_type::value_sum;
  if (counting && c.condition.empty()) r.fail(body, std::string(to_string(c.type)) + " correlation needs a condition");
  if ((c.type == correlation_type::value_count || c.type == correlation_type::value_sum) && c.field.empty())
    r.fail(body, std::string(to_string(c.type)) + " correlation needs condition.field");
  if ((c.type == correlation_type::temporal || c.type == correlation_type::temporal_ordered) && c.rules.size() < 2 && !c.rules.empty())
    r.fail(body["rules"], "a temporal correlation needs at least two rules");
  if (YAML::Node g = body["generate"]) {
    if (!g.IsScalar() || (g.Scalar() != "true" && g.Scalar() != "false")) r.fail(g, "generate must be true or false");
    else c.generate = g.Scalar() == "true";
  }
  if (YAML::Node a = body["aliases"]) {
    if (!a.IsMap()) r.fail(a, "aliases must map alias names to {rule: field}");
    else
      for (const auto& alias : a) {
        if (!alias.second.IsMap()) {
          r.fail(alias.second, "alias '" + alias.first.Scalar() + "' must map rules to fields");
          continue;
        }
        for (const auto& kv : alias.second) c.aliases[alias.first.Scalar()][kv.first.Scalar()] = kv.second.Scalar();
      }
  }
  return c;
}

}  // namespace

correlation_load_result load_correlations_text(std::string_view yaml, const std::string& path) {
  correlation_load_result out;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception&) {
    return out;  // the detection-rule loader reports broken YAML for the same file
  }
  for (const auto& doc : docs) {
    if (!doc.IsMap()) continue;
    if (doc["correlation"]) {
      reader r{path, out.errors};
      auto c = read_correlation(r, doc);
      if (c && r.ok) out.correlations.push_back(std::move(*c));
    } else if (doc["detection"]) {
      rule_name n{scalar_or_empty(doc, "id"), scalar_or_empty(doc, "name"), scalar_or_empty(doc, "title"), path};
      if (!n.id.empty() || !n.name.empty()) out.names.push_back(std::move(n));
    }
  }
  return out;
}

correlation_load_result load_correlations(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto ext = it->path().extension();
        if (it->is_regular_file(ec) && (ext == ".yml" || ext == ".yaml")) files.push_back(it->path().string());
      }
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  correlation_load_result out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto one = load_correlations_text(ss.str(), f);
    for (auto& c : one.correlations) out.correlations.push_back(std::move(c));
    for (auto& n : one.names) out.names.push_back(std::move(n));
    for (auto& e : one.errors) out.errors.push_back(std::move(e));
  }
  return out;
}

}  // namespace talaia::correlator
