#include "core/incident.hpp"

#include <charconv>

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <simdjson.h>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace talaia::core {

namespace json = boost::json;

// Length-prefixed, so no value can pass for another split ("a","b=c" vs "a=b","c").
void append_group_key(std::string& out, const group_values& group) {
  const auto put = [&](const std::string& s) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, s.size()).ptr).append(1, ':').append(s);
  };
  for (const auto& [k, v] : group) {
    put(k);
    put(v);
  }
}

std::size_t group_key_size(const group_values& group) {
  const auto digits = [](std::size_t n) {
    std::size_t d = 1;
    for (; n >= 10; n /= 10) ++d;
    return d;
  };
  std::size_t n = 0;
  for (const auto& [k, v] : group) n += digits(k.size()) + 1 + k.size() + digits(v.size()) + 1 + v.size();
  return n;
}

std::string group_key(const group_values& group) {
  std::string out;
  out.reserve(group_key_size(group));
  append_group_key(out, group);
  return out;
}

std::string incident_id(const std::string& rule_id, const group_values& group, std::int64_t opened_at) {
  std::string input = rule_id + '\x1e' + group_key(group) + '\x1e' + std::to_string(opened_at);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  for (unsigned i = 0; i < 16 && i < len; ++i) {
    id += hex[digest[i] >> 4];
    id += hex[digest[i] & 0xF];
  }
  return id;
}

namespace {

void append_field(std::string& out, std::string_view name) {
  if (out.back() != '{') out += ',';
  append_json_string(out, name);
  out += ':';
}

void append_strings(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, items[i]);
  }
  out += ']';
}

void append_group(std::string& out, const group_values& group) {
  out += '{';
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, group[i].first);
    out += ':';
    append_json_string(out, group[i].second);
  }
  out += '}';
}

void append_rule(std::string& out, const rule_info& r) {
  append_field(out, "rule_id");
  append_json_string(out, r.id);
  append_field(out, "rule_title");
  append_json_string(out, r.title);
  append_field(out, "level");
  append_json_string(out, r.level);
  append_field(out, "author");
  append_json_string(out, r.author);
  append_field(out, "tags");
  append_strings(out, r.tags);
  append_field(out, "references");
  append_strings(out, r.references);
}

std::string str(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

std::int64_t time_of(const json::object& o, std::string_view key) {
  auto t = parse_rfc3339(str(o, key));
  return t ? *t : 0;
}

rule_info read_rule(const json::object& o) {
  rule_info r{str(o, "rule_id"), str(o, "rule_title"), str(o, "level"), str(o, "author"), {}};
  if (auto* tags = o.if_contains("tags"); tags && tags->is_array())
    for (const auto& t : tags->get_array())
      if (t.is_string()) r.tags.emplace_back(t.get_string());
  if (auto* refs = o.if_contains("references"); refs && refs->is_array())
    for (const auto& t : refs->get_array())
      if (t.is_string()) r.references.emplace_back(t.get_string());
  return r;
}

group_values read_group(const json::object& o) {
  group_values g;
  if (auto* v = o.if_contains("group"); v && v->is_object())
    for (const auto& kv : v->get_object())
      g.emplace_back(std::string(kv.key()), kv.value().is_string() ? std::string(kv.value().get_string()) : json::serialize(kv.value()));
  return g;
}

result<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return make_error("not JSON: " + ec.message());
  if (!v.is_object()) return make_error("not a JSON object");
  return std::move(v.get_object());
}

}  // namespace

std::string encode_incident(const incident& inc) {
  std::string out = "{";
  append_field(out, "id");
  append_json_string(out, inc.id);
  append_rule(out, inc.rule);
  append_field(out, "status");
  append_json_string(out, inc.status);
  append_field(out, "first_seen");
  append_json_string(out, format_rfc3339(inc.first_seen));
  append_field(out, "last_seen");
  append_json_string(out, format_rfc3339(inc.last_seen));
  append_field(out, "event_count");
  out += std::to_string(inc.event_count);
  append_field(out, "group");
  append_group(out, inc.group);
  append_field(out, "events");
  out += '[';
  for (std::size_t i = 0; i < inc.events.size(); ++i) {
    if (i) out += ',';
    out += inc.events[i];
  }
  out += "]}";
  return out;
}

result<incident> decode_incident(std::string_view text) {
  auto o = parse_object(text);
  if (!o) return o.err();
  incident inc;
  inc.id = str(*o, "id");
  if (inc.id.empty()) return make_error("incident without id");
  inc.rule = read_rule(*o);
  inc.status = str(*o, "status");
  inc.first_seen = time_of(*o, "first_seen");
  inc.last_seen = time_of(*o, "last_seen");
  if (auto* n = o->if_contains("event_count"); n && n->is_number()) inc.event_count = n->to_number<std::uint64_t>();
  inc.group = read_group(*o);
  if (auto* evs = o->if_contains("events"); evs && evs->is_array())
    for (const auto& e : evs->get_array()) inc.events.push_back(json::serialize(e));
  return inc;
}

std::string encode_detection(const detection& d) {
  std::string out = "{";
  append_rule(out, d.rule);
  append_field(out, "group");
  append_group(out, d.group);
  append_field(out, "time");
  append_json_string(out, format_rfc3339(d.time));
  if (!d.correlation.empty()) {
    append_field(out, "correlation");
    append_json_string(out, d.correlation);
    append_field(out, "position");
    out += std::to_string(d.position);
    append_field(out, "value");
    append_json_string(out, d.value);
  }
  append_field(out, "event");
  out += d.event_json;
  out += '}';
  return out;
}

// simdjson's DOM parser: it validates the whole message (the event is passed on into incidents
// as JSON text) and picks the CPU's SIMD kernel at run time. It runs once per detection in the
// correlate stage, where boost::json's DOM and re-serialisation of the event cost a quarter of
// the stage's time.
result<detection> decode_detection(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(text.data(), text.size(), true).get(root))
    return make_error(std::string("not JSON: ") + simdjson::error_message(e));
  simdjson::dom::object o;
  if (root.get_object().get(o)) return make_error("not a JSON object");
  auto text_of = [&](std::string_view key) -> std::string {
    std::string_view v;
    return o[key].get_string().get(v) ? std::string() : std::string(v);
  };
  auto strings_of = [&](std::string_view key, std::vector<std::string>& out) {
    simdjson::dom::array a;
    if (o[key].get_array().get(a)) return;
    for (auto item : a) {
      std::string_view v;
      if (!item.get_string().get(v)) out.emplace_back(v);
    }
  };
  detection d;
  d.rule = rule_info{text_of("rule_id"), text_of("rule_title"), text_of("level"), text_of("author"), {}};
  if (d.rule.id.empty()) return make_error("detection without rule_id");
  strings_of("tags", d.rule.tags);
  strings_of("references", d.rule.references);
  simdjson::dom::object group;
  if (!o["group"].get_object().get(group))
    for (auto [key, value] : group) {
      std::string_view v;
      d.group.emplace_back(std::string(key), value.get_string().get(v) ? simdjson::minify(value) : std::string(v));
    }
  auto t = parse_rfc3339(text_of("time"));
  if (!t) return make_error("detection without a valid time");
  d.time = *t;
  d.correlation = text_of("correlation");
  d.value = text_of("value");
  std::uint64_t position = 0;
  if (!o["position"].get_uint64().get(position)) d.position = static_cast<std::uint32_t>(position);
  simdjson::dom::object event;
  if (o["event"].get_object().get(event)) return make_error("detection without event");
  d.event_json = simdjson::minify(event);
  return d;
}

}  // namespace talaia::core
