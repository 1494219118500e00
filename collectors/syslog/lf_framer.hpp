#pragma once
// Splits a TCP byte stream into LF-terminated frames (RFC 6587 non-transparent framing with
// LF as the trailer). One per connection, on the connection's thread.
//
// A frame is delivered without its LF and without one trailing CR; empty frames (blank lines,
// a lone CRLF) are skipped. A frame longer than max_frame bytes is delivered once, cut at
// max_frame, with truncated = true, as soon as the limit is passed; the rest of it up to the
// next LF is discarded, so it never turns into a bogus second message. Memory stays within
// max_frame + 1 bytes per connection. The frame view is valid only during the call.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace talaia::collectors::syslog {

class lf_framer {
 public:
  explicit lf_framer(std::size_t max_frame = 65536)
      : max_frame_(std::max<std::size_t>(max_frame, 1)) {}

  std::size_t max_frame() const { return max_frame_; }
  // Bytes held for a frame whose LF has not arrived yet.
  std::size_t pending() const { return partial_.size(); }

  // Calls on_frame(std::string_view frame, bool truncated) for each frame completed by `bytes`.
  template <typename F>
  void feed(std::string_view bytes, F&& on_frame) {
    while (!bytes.empty()) {
      const std::size_t lf = bytes.find('\n');
      if (discarding_) {
        if (lf == std::string_view::npos) return;
        discarding_ = false;
        bytes.remove_prefix(lf + 1);
        continue;
      }
      if (lf == std::string_view::npos) {
        hold(bytes, on_frame);
        return;
      }
      complete(bytes.substr(0, lf), on_frame);
      bytes.remove_prefix(lf + 1);
    }
  }

  // At the end of the stream: delivers the final unterminated frame, if any, and resets.
  template <typename F>
  void finish(F&& on_frame) {
    if (!discarding_) complete({}, on_frame);
    partial_.clear();
    discarding_ = false;
  }

 private:
  // `tail` ends a frame that started with partial_.
  template <typename F>
  void complete(std::string_view tail, F& on_frame) {
    std::string_view frame = tail;
    if (!partial_.empty()) {
      // partial_ holds at most max_frame_ + 1 bytes; keep what decides truncation.
      const std::size_t room = max_frame_ + 2 - std::min(partial_.size(), max_frame_ + 2);
      const std::size_t total = partial_.size() + tail.size();
      partial_.append(tail.substr(0, room));
      if (total > partial_.size()) {  // more than max_frame_ + 1 bytes: surely too long
        on_frame(std::string_view(partial_).substr(0, max_frame_), true);
        partial_.clear();
        return;
      }
      frame = partial_;
    }
    if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
    if (frame.size() > max_frame_)
      on_frame(frame.substr(0, max_frame_), true);
    else if (!frame.empty())
      on_frame(frame, false);
    partial_.clear();
  }

  // `bytes` has no LF: keep them, or give up on the frame once it cannot fit any more. A frame
  // of exactly max_frame_ bytes may still be followed by CR LF, hence the one extra byte.
  template <typename F>
  void hold(std::string_view bytes, F& on_frame) {
    const std::size_t total = partial_.size() + bytes.size();
    if (total <= max_frame_ || (total == max_frame_ + 1 && bytes.back() == '\r')) {
      partial_.append(bytes);
      return;
    }
    partial_.append(bytes.substr(0, max_frame_ - std::min(partial_.size(), max_frame_)));
    on_frame(std::string_view(partial_).substr(0, max_frame_), true);
    partial_.clear();
    discarding_ = true;
  }

  std::size_t max_frame_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace talaia::collectors::syslog
