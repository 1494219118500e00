#include "rules/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

// Collects the diagnostics of one YAML document; the rule is kept only when none were added.
class reporter {
 public:
  reporter(const std::string& path, std::vector<diagnostic>& errors)
      : path_(path), errors_(errors) {}
  void error(int line, std::string message) {
    errors_.push_back({path_, line, std::move(message)});
    failed_ = true;
  }
  bool failed() const { return failed_; }

 private:
  const std::string& path_;
  std::vector<diagnostic>& errors_;
  bool failed_ = false;
};

int line_of(const YAML::Node& n, int fallback) {
  YAML::Mark m = n.Mark();
  return m.is_null() ? fallback : m.line + 1;
}

// A mapping's entries, in document order, keyed by their scalar text.
struct entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

std::vector<entry> entries(const YAML::Node& map) {
  std::vector<entry> out;
  for (auto it = map.begin(); it != map.end(); ++it)
    out.push_back({it->first.IsScalar() ? it->first.Scalar() : std::string(), it->first, it->second});
  return out;
}

const entry* find(const std::vector<entry>& es, std::string_view key) {
  for (const entry& e : es)
    if (e.key == key) return &e;
  return nullptr;
}

std::string scalar_or_error(const entry& e, reporter& rep) {
  if (e.value.IsNull()) return {};
  if (!e.value.IsScalar()) {
    rep.error(line_of(e.value, line_of(e.key_node, 0)), "'" + e.key + "' must be a string");
    return {};
  }
  return e.value.Scalar();
}

std::vector<std::string> strings_or_error(const entry& e, reporter& rep) {
  std::vector<std::string> out;
  if (e.value.IsNull()) return out;
  if (e.value.IsScalar()) return {e.value.Scalar()};
  if (!e.value.IsSequence()) {
    rep.error(line_of(e.value, line_of(e.key_node, 0)), "'" + e.key + "' must be a list of strings");
    return out;
  }
  for (const YAML::Node& item : e.value) {
    if (!item.IsScalar()) {
      rep.error(line_of(item, line_of(e.key_node, 0)), "'" + e.key + "' must be a list of strings");
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

// `field|mod|mod` -> test (field, kind, all), or errors.
void parse_key(std::string_view key, int line, field_test& test, reporter& rep) {
  std::size_t bar = key.find('|');
  test.field = std::string(key.substr(0, bar));
  test.kind = test.field.empty() ? match_kind::contains : match_kind::equals;
  test.line = line;
  std::optional<std::string> kind_modifier;
  while (bar != std::string_view::npos) {
    std::size_t next = key.find('|', bar + 1);
    std::string_view mod = key.substr(bar + 1, next == std::string_view::npos ? next : next - bar - 1);
    bar = next;
    std::optional<match_kind> kind;
    if (mod == "contains") kind = match_kind::contains;
    else if (mod == "startswith") kind = match_kind::startswith;
    else if (mod == "endswith") kind = match_kind::endswith;
    else if (mod == "all") {
      test.all = true;
      continue;
    } else if (mod.empty()) {
      rep.error(line, "empty modifier in '" + std::string(key) + "'");
      continue;
    } else {
      rep.error(line, "unknown modifier '" + std::string(mod) + "' in '" + std::string(key) + "'");
      continue;
    }
    if (kind_modifier) {
      rep.error(line, "conflicting modifiers '" + *kind_modifier + "' and '" + std::string(mod) +
                          "' in '" + std::string(key) + "'");
      continue;
    }
    kind_modifier = std::string(mod);
    test.kind = *kind;
  }
}

// A scalar, null, or list of them -> values.
void parse_values(const YAML::Node& node, int key_line, field_test& test, reporter& rep) {
  const std::string what = test.field.empty() ? "keyword" : "field '" + test.field + "'";
  auto add = [&](const YAML::Node& v) {
    int line = line_of(v, key_line);
    if (v.IsNull()) {
      if (test.field.empty()) {
        rep.error(line, "null is not a valid keyword");
        return;
      }
      test.values.push_back({{}, true, line, no_atom});
    } else if (v.IsScalar()) {
      test.values.push_back({v.Scalar(), false, line, no_atom});
    } else {
      rep.error(line, "value of " + what + " must be a string, a number, null or a list of them");
    }
  };
  if (node.IsSequence()) {
    if (node.size() == 0) rep.error(line_of(node, key_line), "empty list of values for " + what);
    for (const YAML::Node& v : node) add(v);
  } else {
    add(node);
  }
}

void parse_search_map(const YAML::Node& node, const std::string& name, search& out, reporter& rep) {
  search_map m;
  if (node.size() == 0)
    rep.error(line_of(node, out.line), "search identifier '" + name + "' is an empty map");
  for (auto it = node.begin(); it != node.end(); ++it) {
    int key_line = line_of(it->first, out.line);
    if (!it->first.IsScalar()) {
      rep.error(key_line, "field name in '" + name + "' must be a string");
      continue;
    }
    field_test test;
    parse_key(it->first.Scalar(), key_line, test, rep);
    parse_values(it->second, key_line, test, rep);
    m.tests.push_back(std::move(test));
  }
  out.maps.push_back(std::move(m));
}

void parse_keywords(const YAML::Node& node, search& out, reporter& rep) {
  field_test test;
  test.kind = match_kind::contains;
  test.line = line_of(node, out.line);
  parse_values(node, out.line, test, rep);
  out.maps.push_back(search_map{{std::move(test)}});
}

search parse_search(const entry& e, reporter& rep) {
  search s;
  s.name = e.key;
  s.line = line_of(e.key_node, 0);
  const YAML::Node& v = e.value;
  if (v.IsMap()) {
    parse_search_map(v, s.name, s, rep);
  } else if (v.IsSequence()) {
    std::size_t maps = 0;
    for (const YAML::Node& item : v) maps += item.IsMap() ? 1 : 0;
    if (v.size() == 0) {
      rep.error(s.line, "search identifier '" + s.name + "' is an empty list");
    } else if (maps == v.size()) {
      for (const YAML::Node& item : v) parse_search_map(item, s.name, s, rep);
    } else if (maps == 0) {
      parse_keywords(v, s, rep);
    } else {
      rep.error(s.line, "search identifier '" + s.name + "' mixes maps and plain values in one list");
    }
  } else if (v.IsScalar()) {
    parse_keywords(v, s, rep);
  } else {
    rep.error(s.line, "search identifier '" + s.name + "' is empty");
  }
  return s;
}

std::vector<std::string> condition_texts(const entry& cond, reporter& rep) {
  std::vector<std::string> texts;
  int line = line_of(cond.value, line_of(cond.key_node, 0));
  if (cond.value.IsScalar()) {
    texts.push_back(cond.value.Scalar());
  } else if (cond.value.IsSequence() && cond.value.size() > 0) {
    for (const YAML::Node& item : cond.value) {
      if (!item.IsScalar()) {
        rep.error(line_of(item, line), "each condition in the list must be a string");
        return {};
      }
      texts.push_back(item.Scalar());
    }
  } else {
    rep.error(line, "'condition' must be a string or a list of strings");
  }
  return texts;
}

void parse_detection(const entry& det, rule& r, reporter& rep) {
  int det_line = line_of(det.key_node, r.line);
  if (!det.value.IsMap()) {
    rep.error(det_line, "'detection' must be a mapping");
    return;
  }
  std::vector<entry> es = entries(det.value);
  const entry* cond = nullptr;
  std::vector<std::string> names;
  for (const entry& e : es) {
    if (!e.key_node.IsScalar()) {
      rep.error(line_of(e.key_node, det_line), "search identifier must be a string");
    } else if (e.key == "condition") {
      cond = &e;
    } else if (e.key != "timeframe") {  // Sigma 1 leftover: windows belong to correlation rules
      r.detection.searches.push_back(parse_search(e, rep));
      names.push_back(e.key);
    }
  }
  if (cond == nullptr) {
    rep.error(det_line, "detection has no 'condition'");
    return;
  }
  std::vector<std::string> texts = condition_texts(*cond, rep);
  if (texts.empty()) return;
  core::result<condition> parsed = parse_conditions(texts, names);
  if (!parsed) {
    rep.error(line_of(cond->value, line_of(cond->key_node, det_line)), parsed.err().message);
    return;
  }
  r.detection.cond = std::move(*parsed);
}

bool is_meta_rule(const std::vector<entry>& top) {
  return find(top, "correlation") != nullptr || find(top, "filter") != nullptr;
}

void load_document(const YAML::Node& doc, const std::string& path, load_result& out) {
  if (doc.IsNull()) return;  // empty document, e.g. after a trailing `---`
  int doc_line = line_of(doc, 1);
  reporter rep(path, out.errors);
  if (!doc.IsMap()) {
    rep.error(doc_line, "YAML document is not a mapping, so not a Sigma rule");
    return;
  }
  std::vector<entry> top = entries(doc);
  if (is_meta_rule(top)) return;  // correlation and filter rules: not handled yet

  rule r;
  r.path = path;
  r.line = doc_line;
  const entry* title = find(top, "title");
  if (title == nullptr) rep.error(doc_line, "missing required key 'title'");
  else r.title = scalar_or_error(*title, rep);
  if (title != nullptr && r.title.empty() && !rep.failed())
    rep.error(line_of(title->key_node, doc_line), "'title' must not be empty");

  for (const entry& e : top) {
    if (e.key == "id") r.id = scalar_or_error(e, rep);
    else if (e.key == "status") r.status = scalar_or_error(e, rep);
    else if (e.key == "description") r.description = scalar_or_error(e, rep);
    else if (e.key == "author") r.author = scalar_or_error(e, rep);
    else if (e.key == "level") r.level = scalar_or_error(e, rep);
    else if (e.key == "tags") r.tags = strings_or_error(e, rep);
    else if (e.key == "references") r.references = strings_or_error(e, rep);
    else if (e.key == "logsource") {
      if (!e.value.IsMap()) {
        rep.error(line_of(e.key_node, doc_line), "'logsource' must be a mapping");
        continue;
      }
      for (const entry& l : entries(e.value)) {
        if (l.key == "category") r.logsource.category = scalar_or_error(l, rep);
        else if (l.key == "product") r.logsource.product = scalar_or_error(l, rep);
        else if (l.key == "service") r.logsource.service = scalar_or_error(l, rep);
        else if (l.key == "definition") r.logsource.definition = scalar_or_error(l, rep);
      }
    }
  }

  const entry* det = find(top, "detection");
  if (det == nullptr && find(top, "type") != nullptr && find(top, "rules") != nullptr)
    rep.error(doc_line,
              "missing required key 'detection' (this looks like a correlation rule: put "
              "type, rules, group-by, timespan and condition under 'correlation:')");
  else if (det == nullptr)
    rep.error(doc_line, "missing required key 'detection'");
  else parse_detection(*det, r, rep);

  if (!rep.failed()) out.rules.push_back(std::move(r));
}

void append(load_result& into, load_result&& from) {
  for (rule& r : from.rules) into.rules.push_back(std::move(r));
  for (diagnostic& d : from.errors) into.errors.push_back(std::move(d));
}

// Later rules with an id seen before are errors and are dropped.
void drop_duplicate_ids(load_result& res) {
  std::map<std::string, std::string, std::less<>> first;  // id -> "path:line"
  std::vector<rule> kept;
  kept.reserve(res.rules.size());
  for (rule& r : res.rules) {
    if (!r.id.empty()) {
      auto [it, inserted] = first.try_emplace(r.id, r.path + ":" + std::to_string(r.line));
      if (!inserted) {
        res.errors.push_back(
            {r.path, r.line, "duplicate rule id '" + r.id + "' (first defined at " + it->second + ")"});
        continue;
      }
    }
    kept.push_back(std::move(r));
  }
  res.rules = std::move(kept);
}

bool is_rule_file(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

// The *.yml / *.yaml files under `dir`, sorted; unreadable folders become diagnostics.
std::vector<std::string> rule_files(const std::string& dir, std::vector<diagnostic>& errors) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && is_rule_file(it->path())) files.push_back(it->path().string());
  }
  if (ec) errors.push_back({dir, 0, "cannot list folder: " + ec.message()});
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

}  // namespace

load_result load_text(std::string_view yaml, std::string path) {
  load_result out;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    out.errors.push_back({path, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg});
    return out;
  }
  for (const YAML::Node& doc : docs) {
    try {
      load_document(doc, path, out);
    } catch (const YAML::Exception& e) {  // yaml-cpp throws on surprises; report, never escape
      out.errors.push_back({path, e.mark.is_null() ? line_of(doc, 0) : e.mark.line + 1,
                            "cannot read rule: " + e.msg});
    }
  }
  drop_duplicate_ids(out);
  return out;
}

load_result load_paths(const std::vector<std::string>& paths) {
  load_result out;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      out.errors.push_back({path, 0, "no such file or folder"});
      continue;
    }
    std::vector<std::string> files =
        fs::is_directory(st) ? rule_files(path, out.errors) : std::vector<std::string>{path};
    for (const std::string& file : files) {
      std::optional<std::string> text = read_file(file);
      if (!text) {
        out.errors.push_back({file, 0, "cannot read file"});
        continue;
      }
      append(out, load_text(*text, file));
    }
  }
  drop_duplicate_ids(out);
  return out;
}

}  // namespace talaia::rules
