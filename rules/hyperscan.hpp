#pragma once
// The thin layer over Hyperscan's C API: owning handles, block-mode compilation, scratch, and the
// one function that turns a Hyperscan status into a talaia error.
#include <hs.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace talaia::rules {

struct database_deleter {
  void operator()(hs_database_t* db) const noexcept { hs_free_database(db); }
};
struct scratch_deleter {
  void operator()(hs_scratch_t* s) const noexcept { hs_free_scratch(s); }
};
using database_ptr = std::unique_ptr<hs_database_t, database_deleter>;
using scratch_ptr = std::unique_ptr<hs_scratch_t, scratch_deleter>;

// The only conversion of a Hyperscan status: HS_SUCCESS is ok, anything else an error
// "<doing>: <status name> (<detail>)".
core::result<void> hs_check(hs_error_t status, std::string_view doing, std::string_view detail = {});

struct expression {
  std::string regex;
  unsigned int flags = 0;
  unsigned int id = 0;
};

// Outcome of compiling a set: a database, or the index of the expression Hyperscan refused.
struct compiled {
  database_ptr db;
  int rejected = -1;   // index into the expressions; -1 when db is set
  std::string reason;  // Hyperscan's message for the rejected expression
};

// One hs_compile_multi call in block mode. An error result is a failure that no single
// expression explains (memory, platform).
core::result<compiled> compile_block(const std::vector<expression>& expressions);

// Scratch space big enough for every database given (null entries are skipped).
core::result<scratch_ptr> alloc_scratch(const std::vector<const hs_database_t*>& databases);

}  // namespace talaia::rules
