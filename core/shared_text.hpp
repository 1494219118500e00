#pragma once
// Texts that share one block of memory. A NetFlow packet's records are written one after another
// into a text_batch and handed to a bus whole; the bus's messages are payloads viewing the block,
// so a packet's records cost one allocation and one free instead of one each. Across cores, a
// heap string per record cost the listener more than decoding the record (bench/netflow).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace talaia::core {

// A message's value: a string of its own, or a view into a block other payloads may share (kept
// alive by the last of them).
class payload {
 public:
  payload() = default;
  payload(std::string text) : own_(std::move(text)) {}  // NOLINT: a value is usually just text
  payload(const char* text) : own_(text) {}             // NOLINT
  payload(std::shared_ptr<const char[]> block, std::string_view text) : block_(std::move(block)), shared_(text) {}

  std::string_view view() const { return block_ ? shared_ : std::string_view(own_); }
  operator std::string_view() const { return view(); }  // NOLINT: read wherever text is read
  std::string str() const { return std::string(view()); }
  bool empty() const { return view().empty(); }
  std::size_t size() const { return view().size(); }

  friend bool operator==(const payload& a, std::string_view b) { return a.view() == b; }
  friend std::ostream& operator<<(std::ostream& o, const payload& p);

 private:
  std::string own_;
  std::shared_ptr<const char[]> block_;
  std::string_view shared_;
};

// Texts appended end to end into one block. Until share(), the block is the batch's own and
// clear() reuses it; once shared, clear() leaves it to its payloads and the next text starts a
// new block, sized by what the batches before it needed.
class text_batch {
 public:
  // Room for a text of at most `bound` bytes after the last one; commit() ends it.
  char* reserve(std::size_t bound) {
    if (capacity_ - used_ < bound) grow(bound);
    return block_.get() + used_;
  }
  void commit(const char* end) {
    used_ = static_cast<std::size_t>(end - block_.get());
    ends_.push_back(used_);
  }
  void push(std::string_view text) {
    char* p = reserve(text.size());
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    commit(p + text.size());
  }

  std::size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return {block_.get() + begin, ends_[i] - begin};
  }

  // The block, for payloads (payload(block, (*this)[i])); the batch stays readable until clear().
  std::shared_ptr<const char[]> share() {
    shared_ = true;
    return block_;
  }
  void clear();

 private:
  void grow(std::size_t bound);

  std::shared_ptr<char[]> block_;
  std::size_t used_ = 0, capacity_ = 0;
  std::size_t next_capacity_ = 4096;  // a new block's size: about what recent batches used
  bool shared_ = false;
  std::vector<std::size_t> ends_;
};

}  // namespace talaia::core
