#include "core/shared_text.hpp"

#include <algorithm>
#include <ostream>

namespace talaia::core {

std::ostream& operator<<(std::ostream& o, const payload& p) { return o << p.view(); }

void text_batch::grow(std::size_t bound) {
  const std::size_t capacity = std::max({next_capacity_, used_ + bound, 2 * capacity_});
  auto block = std::make_shared_for_overwrite<char[]>(capacity);
  if (used_ > 0) std::memcpy(block.get(), block_.get(), used_);
  block_ = std::move(block);
  capacity_ = capacity;
}

void text_batch::clear() {
  // A quarter more than this batch used, or most of the last size: a run of smaller batches
  // shrinks the blocks slowly, one large batch grows them at once.
  next_capacity_ = std::max({std::size_t{1024}, used_ + used_ / 4, next_capacity_ - next_capacity_ / 8});
  if (shared_) block_.reset(), capacity_ = 0;
  used_ = 0;
  shared_ = false;
  ends_.clear();
}

}  // namespace talaia::core
