#include "rules/modifiers.hpp"

#include <algorithm>

#include "rules/encoding.hpp"

namespace talaia::rules {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::vector<std::string_view> split_modifiers(std::string_view key) {
  std::vector<std::string_view> out;
  std::size_t bar = key.find('|');
  while (bar != std::string_view::npos) {
    std::size_t next = key.find('|', bar + 1);
    out.push_back(key.substr(bar + 1, next == std::string_view::npos ? next : next - bar - 1));
    bar = next;
  }
  return out;
}

std::optional<encoding_step> encoding_of(std::string_view mod) {
  if (mod == "wide" || mod == "utf16le") return encoding_step::utf16le;
  if (mod == "utf16be") return encoding_step::utf16be;
  if (mod == "utf16") return encoding_step::utf16;
  if (mod == "base64") return encoding_step::base64;
  if (mod == "base64offset") return encoding_step::base64offset;
  if (mod == "windash") return encoding_step::windash;
  return std::nullopt;
}

std::optional<compare_op> compare_of(std::string_view mod) {
  if (mod == "lt") return compare_op::lt;
  if (mod == "lte") return compare_op::lte;
  if (mod == "gt") return compare_op::gt;
  if (mod == "gte") return compare_op::gte;
  return std::nullopt;
}

std::string_view type_name(value_type t) {
  switch (t) {
    case value_type::string: return "string";
    case value_type::re: return "re";
    case value_type::cidr: return "cidr";
    case value_type::compare: return "lt/lte/gt/gte";
    case value_type::exists: return "exists";
    case value_type::fieldref: return "fieldref";
  }
  return "string";
}

// Checks the combination once every modifier is read.
void check_combination(const modifier_set& m, std::string_view key, bool keyword,
                       std::vector<std::string>& errors) {
  auto bad = [&](std::string what) { errors.push_back(std::move(what) + " in " + quoted(key)); };
  if ((m.re_i || m.re_m || m.re_s) && m.type != value_type::re)
    bad("modifiers 'i', 'm' and 's' only go with 're'");
  if (m.type == value_type::string) return;
  std::string name(type_name(m.type));
  if (keyword && m.type != value_type::re) bad("'" + name + "' needs a field name");
  if (!m.encodings.empty()) bad("'" + name + "' cannot be combined with encoding modifiers");
  if (m.expand) bad("'" + name + "' cannot be combined with 'expand'");
  if (m.kind_given && m.type != value_type::fieldref)
    bad("'" + name + "' cannot be combined with contains/startswith/endswith");
  if (m.cased && m.type != value_type::fieldref) bad("'" + name + "' cannot be combined with 'cased'");
  if (m.type == value_type::exists && (m.all || m.neq)) bad("'exists' stands alone");
}

// Replaces `%name%` placeholders by every combination of their values; names without values
// are collected in `missing`.
std::vector<std::string> expand_placeholders(const std::string& text, const placeholder_map& values,
                                             std::vector<std::string>& missing) {
  std::vector<std::string> out{""};
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find('%', i);
    std::size_t close = open == std::string::npos ? open : text.find('%', open + 1);
    if (close == std::string::npos) {
      for (std::string& o : out) o += text.substr(i);
      break;
    }
    for (std::string& o : out) o += text.substr(i, open - i);
    std::string name = text.substr(open + 1, close - open - 1);
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) {
      missing.push_back(name);
    } else {
      std::vector<std::string> next;
      for (const std::string& o : out)
        for (const std::string& v : it->second) next.push_back(o + v);
      out = std::move(next);
    }
    i = close + 1;
  }
  return out;
}

// Applies the encodings to one parsed value; each step may multiply the alternatives.
bool encode(std::vector<sigma_string>& alts, const std::vector<encoding_step>& steps,
            std::string& error) {
  for (encoding_step step : steps) {
    std::vector<sigma_string> next;
    for (const sigma_string& s : alts) {
      switch (step) {
        case encoding_step::utf16le: next.push_back(to_utf16(s, utf16_form::le)); break;
        case encoding_step::utf16be: next.push_back(to_utf16(s, utf16_form::be)); break;
        case encoding_step::utf16: next.push_back(to_utf16(s, utf16_form::le_bom)); break;
        case encoding_step::windash: next.push_back(windash(s)); break;
        case encoding_step::base64:
        case encoding_step::base64offset:
          if (!is_plain(s)) {
            error = "base64 encoding of a value with wildcards is not possible";
            return false;
          }
          if (step == encoding_step::base64) {
            next.push_back(literal_string(base64(plain_text(s))));
          } else {
            for (const std::string& form : base64_offsets(plain_text(s)))
              if (!form.empty()) next.push_back(literal_string(form));
          }
          break;
      }
    }
    alts = std::move(next);
  }
  return true;
}

matcher regex_matcher(const sigma_string& s, const modifier_set& m, bool cased) {
  pattern p = to_pattern(s, m.kind);
  matcher out;
  out.kind = p.kind == pattern_kind::regex   ? matcher_kind::regex
             : p.kind == pattern_kind::empty ? matcher_kind::empty
                                             : matcher_kind::present;
  out.regex = std::move(p.regex);
  out.caseless = !cased;
  if (out.kind == matcher_kind::regex && m.kind == match_kind::equals && is_plain(s)) out.literal = plain_text(s);
  return out;
}

bool parse_bool(std::string_view text, bool& out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true") out = true;
  else if (lower == "false") out = false;
  else return false;
  return true;
}

}  // namespace

modifier_set parse_modifiers(std::string_view key, bool keyword, std::vector<std::string>& errors) {
  modifier_set m;
  m.kind = keyword ? match_kind::contains : match_kind::equals;
  std::optional<std::string_view> kind_mod;
  auto set_type = [&](value_type t, std::string_view mod) {
    if (m.type != value_type::string && m.type != t)
      errors.push_back("conflicting modifiers '" + std::string(type_name(m.type)) + "' and " +
                       quoted(mod) + " in " + quoted(key));
    m.type = t;
  };
  for (std::string_view mod : split_modifiers(key)) {
    std::optional<match_kind> kind;
    if (mod == "contains") kind = match_kind::contains;
    else if (mod == "startswith") kind = match_kind::startswith;
    else if (mod == "endswith") kind = match_kind::endswith;
    else if (mod == "all") m.all = true;
    else if (mod == "neq") m.neq = true;
    else if (mod == "cased") m.cased = true;
    else if (mod == "expand") m.expand = true;
    else if (mod == "re") set_type(value_type::re, mod);
    else if (mod == "i") m.re_i = true;
    else if (mod == "m") m.re_m = true;
    else if (mod == "s") m.re_s = true;
    else if (mod == "cidr") set_type(value_type::cidr, mod);
    else if (mod == "exists") set_type(value_type::exists, mod);
    else if (mod == "fieldref") set_type(value_type::fieldref, mod);
    else if (auto op = compare_of(mod)) {
      set_type(value_type::compare, mod);
      m.op = *op;
    } else if (auto enc = encoding_of(mod)) m.encodings.push_back(*enc);
    else if (mod.empty()) errors.push_back("empty modifier in " + quoted(key));
    else errors.push_back("unknown modifier " + quoted(mod) + " in " + quoted(key));
    if (!kind) continue;
    if (kind_mod) {
      errors.push_back("conflicting modifiers " + quoted(*kind_mod) + " and " + quoted(mod) +
                       " in " + quoted(key));
      continue;
    }
    kind_mod = mod;
    m.kind = *kind;
    m.kind_given = true;
  }
  check_combination(m, key, keyword, errors);
  return m;
}

value_outcome make_matchers(const std::string& text, const modifier_set& m,
                            const placeholder_map& placeholders) {
  value_outcome out;
  matcher one;
  switch (m.type) {
    case value_type::re:
      one.kind = matcher_kind::regex;
      one.regex = text;
      one.caseless = m.re_i;
      one.dotall = m.re_s;
      one.multiline = m.re_m;
      one.user_regex = true;
      if (text.empty()) out.error = "empty regular expression";
      else out.matchers.push_back(std::move(one));
      return out;
    case value_type::cidr:
      one.kind = matcher_kind::cidr;
      if (!parse_network(text, one.net))
        out.error = "invalid network " + quoted(text) + " for 'cidr' (an IPv4 or IPv6 address with "
                    "an optional /prefix, no host bits set after the prefix)";
      else out.matchers.push_back(std::move(one));
      return out;
    case value_type::compare:
      one.kind = matcher_kind::compare;
      one.op = m.op;
      if (!parse_number(text, one.number)) out.error = "value " + quoted(text) + " is not a number";
      else out.matchers.push_back(std::move(one));
      return out;
    case value_type::exists: {
      bool wanted = false;
      if (!parse_bool(text, wanted)) {
        out.error = "'exists' takes true or false, not " + quoted(text);
        return out;
      }
      one.kind = matcher_kind::present;
      out.matchers.push_back(std::move(one));
      out.negate = !wanted;
      return out;
    }
    case value_type::fieldref:
      one.kind = matcher_kind::fieldref;
      one.other_field = text;
      one.how = m.kind;
      one.cased = m.cased;
      if (text.empty()) out.error = "'fieldref' needs a field name";
      else out.matchers.push_back(std::move(one));
      return out;
    case value_type::string: break;
  }

  std::vector<std::string> texts{text};
  if (m.expand) {
    std::vector<std::string> missing;
    texts = expand_placeholders(text, placeholders, missing);
    if (!missing.empty()) {
      out.warning = "placeholder %" + missing.front() + "% has no value in the config (sigma.placeholders); "
                    "this value never matches";
      return out;
    }
  }
  const bool base64ed = std::any_of(m.encodings.begin(), m.encodings.end(), [](encoding_step s) {
    return s == encoding_step::base64 || s == encoding_step::base64offset;
  });
  for (const std::string& t : texts) {
    std::vector<sigma_string> alts{parse_sigma_string(t)};
    if (!encode(alts, m.encodings, out.error)) return out;
    for (const sigma_string& s : alts) {
      matcher mt = regex_matcher(s, m, m.cased || base64ed);
      if (std::find(out.matchers.begin(), out.matchers.end(), mt) == out.matchers.end())
        out.matchers.push_back(std::move(mt));
    }
  }
  return out;
}

}  // namespace talaia::rules
