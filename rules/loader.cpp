#include "rules/loader.hpp"

#include "rules/modifiers.hpp"
#include "rules/routing.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

// Collects the diagnostics of one YAML document; the rule is kept only when none were added.
class reporter {
 public:
  reporter(const std::string& path, load_result& out, const load_options& options)
      : path_(path), out_(out), options_(options) {}
  void error(int line, std::string message) {
    out_.errors.push_back({path_, line, std::move(message)});
    failed_ = true;
  }
  void warning(int line, std::string message) {
    out_.warnings.push_back({path_, line, std::move(message)});
  }
  bool failed() const { return failed_; }
  const load_options& options() const { return options_; }

 private:
  const std::string& path_;
  load_result& out_;
  const load_options& options_;
  bool failed_ = false;
};

// A correlation document's references, resolved once the whole collection is loaded.
struct correlation_refs {
  std::string path;
  int line = 0;
  std::vector<std::string> rules;
  std::vector<std::string> names;  // its own id and name: correlations may chain
};

// What is resolved once the whole collection is read.
struct pending {
  std::vector<correlation_refs> correlations;
  std::vector<filter_rule> filters;
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

// `field|mod|mod` -> test (field, kind, all, negate) and the modifiers, or errors.
modifier_set parse_key(std::string_view key, int line, field_test& test, reporter& rep) {
  test.field = std::string(key.substr(0, key.find('|')));
  test.line = line;
  std::vector<std::string> problems;
  modifier_set mods = parse_modifiers(key, test.field.empty(), problems);
  for (std::string& p : problems) rep.error(line, std::move(p));
  test.kind = mods.kind;
  test.all = mods.all;
  test.negate = mods.neq;
  return mods;
}

// A scalar, null, or list of them -> values.
void parse_values(const YAML::Node& node, int key_line, const modifier_set& mods, field_test& test,
                  reporter& rep) {
  const std::string what = test.field.empty() ? "keyword" : "field '" + test.field + "'";
  auto add = [&](const YAML::Node& v) {
    int line = line_of(v, key_line);
    if (v.IsNull()) {
      if (test.field.empty()) {
        rep.error(line, "null is not a valid keyword");
        return;
      }
      test.values.push_back({{}, true, line, {}, {}});
    } else if (v.IsScalar()) {
      value_outcome made = make_matchers(v.Scalar(), mods, rep.options().sigma.placeholders);
      if (!made.error.empty()) rep.error(line, what + ": " + made.error);
      if (!made.warning.empty()) rep.warning(line, what + ": " + made.warning);
      test.negate = test.negate != made.negate;
      test.values.push_back({v.Scalar(), false, line, std::move(made.matchers), {}});
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
    modifier_set mods = parse_key(it->first.Scalar(), key_line, test, rep);
    parse_values(it->second, key_line, mods, test, rep);
    m.tests.push_back(std::move(test));
  }
  out.maps.push_back(std::move(m));
}

void parse_keywords(const YAML::Node& node, search& out, reporter& rep) {
  field_test test;
  test.kind = match_kind::contains;
  test.line = line_of(node, out.line);
  modifier_set mods;
  mods.kind = match_kind::contains;
  parse_values(node, out.line, mods, test, rep);
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

// `det` is a rule's `detection` or a filter's `filter` (whose `rules` key is no search identifier).
void parse_detection(const entry& det, rule& r, reporter& rep, bool is_filter = false) {
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
    } else if (e.key != "timeframe" && !(is_filter && e.key == "rules")) {  // timeframe: Sigma 1 leftover
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

// A correlation document: `rules` must be a list of rule ids or names, resolved later against
// the whole collection. Its metadata must be well-formed like a rule's.
void check_correlation(const std::vector<entry>& top, const entry& corr, const std::string& path,
                       int doc_line, reporter& rep, std::vector<correlation_refs>& pending_refs) {
  if (const entry* refs = find(top, "references"); refs && !refs->value.IsSequence() && !refs->value.IsNull())
    rep.error(line_of(refs->key_node, doc_line), "'references' must be a list");
  if (!corr.value.IsMap()) {
    rep.error(line_of(corr.key_node, doc_line), "'correlation' must be a mapping");
    return;
  }
  std::vector<entry> body = entries(corr.value);
  const entry* rules = find(body, "rules");
  correlation_refs c{path, doc_line, {}, {}};
  for (const char* key : {"id", "name"})
    if (const entry* e = find(top, key); e && e->value.IsScalar()) c.names.push_back(e->value.Scalar());
  if (rules == nullptr) {
    rep.error(line_of(corr.key_node, doc_line), "correlation has no 'rules'");
  } else if (rules->value.IsScalar()) {
    c.rules.push_back(rules->value.Scalar());
  } else if (rules->value.IsSequence()) {
    c.rules = strings_or_error(*rules, rep);
  } else {
    rep.error(line_of(rules->key_node, doc_line),
              "correlation 'rules' must be a list of rule ids or names, not a mapping");
  }
  if (!rep.failed()) pending_refs.push_back(std::move(c));
}

void load_document(const YAML::Node& doc, const std::string& path, load_result& out,
                   pending& later, const load_options& options) {
  if (doc.IsNull()) return;  // empty document, e.g. after a trailing `---`
  int doc_line = line_of(doc, 1);
  reporter rep(path, out, options);
  if (!doc.IsMap()) {
    rep.error(doc_line, "YAML document is not a mapping, so not a Sigma rule");
    return;
  }
  std::vector<entry> top = entries(doc);
  if (const entry* corr = find(top, "correlation")) {
    check_correlation(top, *corr, path, doc_line, rep, later.correlations);
    return;  // checked; correlations are not run yet
  }
  const entry* filter = find(top, "filter");

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
    else if (e.key == "name") r.name = scalar_or_error(e, rep);
    else if (e.key == "references") {
      if (e.value.IsScalar()) rep.error(line_of(e.key_node, doc_line), "'references' must be a list");
      else r.references = strings_or_error(e, rep);
    }
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

  if (filter != nullptr) {
    filter_rule f;
    if (filter->value.IsMap())
      if (const YAML::Node refs = filter->value["rules"]; refs)
        f.rules = strings_or_error({"rules", refs, refs}, rep);
    parse_detection(*filter, r, rep, true);
    if (rep.failed()) return;
    f.title = r.title;
    f.path = path;
    f.line = doc_line;
    f.logsource = r.logsource;
    f.detection = std::move(r.detection);
    later.filters.push_back(std::move(f));
    return;
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

// Rule files are *.yml / *.yaml, except the test cases kept beside them (*.tests.yml).
bool is_rule_file(const fs::path& p) {
  std::string ext = p.extension().string();
  return (ext == ".yml" || ext == ".yaml") && p.stem().extension() != ".tests";
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

void load_file_text(std::string_view yaml, const std::string& path, const load_options& options,
                    load_result& out, pending& later) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    out.errors.push_back({path, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg});
    return;
  }
  // As in pySigma, a file is one collection: any error in it leaves all of its rules out.
  const std::size_t rules_before = out.rules.size(), errors_before = out.errors.size();
  for (const YAML::Node& doc : docs) {
    try {
      load_document(doc, path, out, later, options);
    } catch (const YAML::Exception& e) {  // yaml-cpp throws on surprises; report, never escape
      out.errors.push_back({path, e.mark.is_null() ? line_of(doc, 0) : e.mark.line + 1,
                            "cannot read rule: " + e.msg});
    }
  }
  if (out.errors.size() > errors_before)
    out.rules.erase(out.rules.begin() + static_cast<std::ptrdiff_t>(rules_before), out.rules.end());
}

// Every rule a correlation names must be in the collection, by id or by name.
void resolve_correlations(const std::vector<correlation_refs>& pending_refs, load_result& out) {
  std::set<std::string, std::less<>> known;
  for (const rule& r : out.rules) {
    if (!r.id.empty()) known.insert(r.id);
    if (!r.name.empty()) known.insert(r.name);
  }
  for (const correlation_refs& c : pending_refs) known.insert(c.names.begin(), c.names.end());
  for (const correlation_refs& c : pending_refs)
    for (const std::string& ref : c.rules)
      if (!known.contains(ref))
        out.errors.push_back({c.path, c.line, "correlation refers to rule '" + ref +
                                                  "', which no loaded rule has as id or name"});
}

// Filters first (their fields are mapped with the rule's), then field mappings and routes.
void finish(pending& later, const load_options& options, load_result& out) {
  resolve_correlations(later.correlations, out);
  for (const filter_rule& f : later.filters) {
    std::size_t applied = 0;
    for (rule& r : out.rules) {
      bool named = f.rules.empty() ? logsource_covers(f.logsource, r.logsource)
                                   : std::find_if(f.rules.begin(), f.rules.end(), [&](const std::string& ref) {
                                       return ref == r.id || (!r.name.empty() && ref == r.name);
                                     }) != f.rules.end();
      if (!named) continue;
      apply_filter(r, f);
      ++applied;
    }
    if (applied == 0)
      out.warnings.push_back({f.path, f.line, "filter '" + f.title + "' applies to no loaded rule"});
  }
  for (diagnostic& d : check_routes(options.sigma)) out.errors.push_back(std::move(d));
  for (rule& r : out.rules) route_rule(r, options.sigma, out.warnings);
}

}  // namespace

load_result load_text(std::string_view yaml, std::string path, const load_options& options) {
  load_result out;
  pending later;
  load_file_text(yaml, path, options, out, later);
  finish(later, options, out);
  drop_duplicate_ids(out);
  return out;
}

load_result load_paths(const std::vector<std::string>& paths, const load_options& options) {
  load_result out;
  pending later;
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
      load_file_text(*text, file, options, out, later);
    }
  }
  finish(later, options, out);
  drop_duplicate_ids(out);
  return out;
}

}  // namespace talaia::rules
