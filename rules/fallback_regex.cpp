#include "rules/fallback_regex.hpp"

namespace talaia::rules {

core::result<pcre2_code_ptr> compile_fallback(const std::string& regex, regex_options options) {
  std::uint32_t flags = 0;
  if (options.caseless) flags |= PCRE2_CASELESS;
  if (options.dotall) flags |= PCRE2_DOTALL;
  if (options.multiline) flags |= PCRE2_MULTILINE;
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), flags,
                                   &error_code, &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    if (pcre2_get_error_message(error_code, message, sizeof message) < 0) message[0] = 0;
    return core::make_error("PCRE2: " + std::string(reinterpret_cast<const char*>(message)) +
                            " at offset " + std::to_string(error_offset));
  }
  return pcre2_code_ptr(code);
}

fallback_outcome fallback_status(int rc) {
  if (rc >= 0) return fallback_outcome::match;  // 0: matched, ovector too small (we ask none)
  switch (rc) {
    case PCRE2_ERROR_NOMATCH:
    case PCRE2_ERROR_PARTIAL: return fallback_outcome::no_match;
    case PCRE2_ERROR_MATCHLIMIT:
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT: return fallback_outcome::limit;
    default: return fallback_outcome::error;
  }
}

core::result<fallback_matcher> fallback_matcher::make() {
  fallback_matcher m;
  m.data_.reset(pcre2_match_data_create(1, nullptr));
  m.context_.reset(pcre2_match_context_create(nullptr));
  if (!m.data_ || !m.context_) return core::make_error("PCRE2: out of memory");
  pcre2_set_match_limit(m.context_.get(), fallback_match_limit);
  pcre2_set_depth_limit(m.context_.get(), fallback_depth_limit);
  pcre2_set_heap_limit(m.context_.get(), fallback_heap_limit_kib);
  return m;
}

fallback_outcome fallback_matcher::match(const pcre2_code* code, std::string_view text) {
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0,
                       data_.get(), context_.get());
  return fallback_status(rc);
}

}  // namespace talaia::rules
