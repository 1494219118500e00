#include "rules/hyperscan.hpp"

namespace talaia::rules {
namespace {

std::string_view status_name(hs_error_t status) {
  switch (status) {
    case HS_SUCCESS: return "success";
    case HS_INVALID: return "invalid parameter";
    case HS_NOMEM: return "out of memory";
    case HS_SCAN_TERMINATED: return "scan terminated";
    case HS_COMPILER_ERROR: return "pattern compilation failed";
    case HS_DB_VERSION_ERROR: return "database built by another Hyperscan version";
    case HS_DB_PLATFORM_ERROR: return "database built for another platform";
    case HS_DB_MODE_ERROR: return "database built for another mode";
    case HS_BAD_ALIGN: return "misaligned parameter";
    case HS_BAD_ALLOC: return "allocator returned misaligned memory";
    case HS_SCRATCH_IN_USE: return "scratch already in use";
    case HS_ARCH_ERROR: return "CPU not supported (needs SSSE3)";
    case HS_INSUFFICIENT_SPACE: return "insufficient space";
    default: return "unknown error";
  }
}

struct compile_error_deleter {
  void operator()(hs_compile_error_t* e) const noexcept { hs_free_compile_error(e); }
};

}  // namespace

core::result<void> hs_check(hs_error_t status, std::string_view doing, std::string_view detail) {
  if (status == HS_SUCCESS) return {};
  std::string message = std::string(doing) + ": Hyperscan: " + std::string(status_name(status));
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  return core::make_error(std::move(message));
}

core::result<compiled> compile_block(const std::vector<expression>& expressions) {
  std::vector<const char*> regexes;
  std::vector<unsigned int> flags, ids;
  regexes.reserve(expressions.size());
  flags.reserve(expressions.size());
  ids.reserve(expressions.size());
  for (const expression& e : expressions) {
    regexes.push_back(e.regex.c_str());
    flags.push_back(e.flags);
    ids.push_back(e.id);
  }
  hs_database_t* raw_db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  hs_error_t status =
      hs_compile_multi(regexes.data(), flags.data(), ids.data(),
                       static_cast<unsigned int>(regexes.size()), HS_MODE_BLOCK, nullptr, &raw_db,
                       &raw_error);
  database_ptr db(raw_db);
  std::unique_ptr<hs_compile_error_t, compile_error_deleter> error(raw_error);
  compiled out;
  if (status == HS_COMPILER_ERROR && error && error->expression >= 0 &&
      static_cast<std::size_t>(error->expression) < expressions.size()) {
    out.rejected = error->expression;
    out.reason = error->message ? error->message : "rejected";
    return out;
  }
  core::result<void> ok =
      hs_check(status, "compiling rule patterns", error && error->message ? error->message : "");
  if (!ok) return ok.err();
  out.db = std::move(db);
  return out;
}

core::result<scratch_ptr> alloc_scratch(const std::vector<const hs_database_t*>& databases) {
  hs_scratch_t* raw = nullptr;
  for (const hs_database_t* db : databases) {
    if (db == nullptr) continue;
    hs_error_t status = hs_alloc_scratch(db, &raw);  // grows `raw` to fit every database
    core::result<void> ok = hs_check(status, "allocating scan scratch");
    if (!ok) {
      hs_free_scratch(raw);
      return ok.err();
    }
  }
  return scratch_ptr(raw);
}

}  // namespace talaia::rules
