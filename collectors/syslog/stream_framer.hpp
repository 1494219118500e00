#pragma once
// Splits a TCP (or TLS) syslog stream into frames, telling RFC 6587's two framings apart frame
// by frame: octet counting (`MSG-LEN SP MSG`, MSG-LEN without leading zero and MSG starting with
// `<`) and LF-terminated frames (non-transparent framing). One per connection, on its thread.
//
// * Between frames, spaces, CRs, LFs and NULs are skipped: Cisco ASA sends a space after each
//   newline, some senders a NUL, and blank lines are no messages.
// * An LF frame is delivered without its LF and one trailing CR.
// * A frame longer than max_frame bytes is delivered once, cut at max_frame, with
//   truncated = true. For an LF frame the rest up to the next LF is dropped; for an
//   octet-counted one exactly the declared rest is dropped, so the stream stays in step even
//   when the declared length is over the limit.
// * finish() (end of stream) delivers an unterminated LF frame and a short octet-counted frame
//   as they are: nothing the sender got onto the wire is lost.
// Memory stays within max_frame + 12 bytes per connection. Views are valid only during the call.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace talaia::collectors::syslog {

class stream_framer {
 public:
  explicit stream_framer(std::size_t max_frame = 65536) : max_frame_(std::max<std::size_t>(max_frame, 1)) {}

  std::size_t max_frame() const { return max_frame_; }
  std::uint64_t octet_counted_frames() const { return octet_counted_; }
  std::uint64_t lf_frames() const { return lf_framed_; }

  // Calls on_frame(std::string_view frame, bool truncated) for each frame completed by `bytes`.
  template <typename F>
  void feed(std::string_view bytes, F&& on_frame) {
    while (!bytes.empty()) {
      switch (state_) {
        case state::boundary: {
          const char c = bytes.front();
          if (c == ' ' || c == '\n' || c == '\r' || c == '\0') {
            bytes.remove_prefix(1);
            break;
          }
          if (c >= '1' && c <= '9') {
            state_ = state::length;
            length_ = 0;
            partial_.clear();
          } else {
            state_ = state::lf;
            partial_.clear();
          }
          break;
        }
        case state::length: {
          const char c = bytes.front();
          if (c >= '0' && c <= '9' && partial_.size() < 9) {
            length_ = length_ * 10 + static_cast<std::size_t>(c - '0');
            partial_.push_back(c);
            bytes.remove_prefix(1);
          } else if (c == ' ') {
            partial_.push_back(c);
            bytes.remove_prefix(1);
            state_ = state::length_space;
          } else {
            state_ = state::lf;  // digits that began a plain line: they stay in partial_
          }
          break;
        }
        case state::length_space:
          if (bytes.front() == '<') {
            partial_.clear();
            state_ = state::counted;
            ++octet_counted_;
          } else {
            state_ = state::lf;
          }
          break;
        case state::counted:
          bytes = counted(bytes, on_frame);
          break;
        case state::lf:
          bytes = lf(bytes, on_frame);
          break;
        case state::discard_counted: {
          const std::size_t n = std::min(length_, bytes.size());
          length_ -= n;
          bytes.remove_prefix(n);
          if (length_ == 0) state_ = state::boundary;
          break;
        }
        case state::discard_lf: {
          const std::size_t lf = bytes.find('\n');
          if (lf == std::string_view::npos) return;
          bytes.remove_prefix(lf + 1);
          state_ = state::boundary;
          break;
        }
      }
    }
  }

  // End of stream: delivers what a frame had so far, then resets.
  template <typename F>
  void finish(F&& on_frame) {
    if (state_ == state::counted && !partial_.empty()) {
      on_frame(std::string_view(partial_), false);  // shorter than declared: kept as it came
    } else if (state_ == state::lf || state_ == state::length || state_ == state::length_space) {
      std::string_view frame(partial_);
      if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
      if (!frame.empty()) {
        ++lf_framed_;
        on_frame(frame, false);
      }
    }
    partial_.clear();
    state_ = state::boundary;
  }

 private:
  enum class state : std::uint8_t { boundary, length, length_space, counted, lf, discard_counted, discard_lf };

  // Octet-counted body: length_ bytes still due, partial_ holds those seen so far.
  template <typename F>
  std::string_view counted(std::string_view bytes, F& on_frame) {
    const std::size_t due = length_ - partial_.size();
    if (partial_.empty() && bytes.size() >= length_ && length_ <= max_frame_) {
      on_frame(bytes.substr(0, length_), false);  // the common case: no copy
      bytes.remove_prefix(length_);
      state_ = state::boundary;
      return bytes;
    }
    const std::size_t take = std::min(due, bytes.size());
    const std::size_t room = max_frame_ - std::min(partial_.size(), max_frame_);
    partial_.append(bytes.substr(0, std::min(take, room)));
    bytes.remove_prefix(take);
    if (take == due || partial_.size() >= max_frame_) {
      const bool cut = length_ > max_frame_;
      on_frame(std::string_view(partial_).substr(0, max_frame_), cut);
      const std::size_t consumed = length_ - due + take;  // body bytes read so far
      partial_.clear();
      if (consumed < length_) {
        length_ -= consumed;
        state_ = state::discard_counted;
      } else {
        state_ = state::boundary;
      }
    }
    return bytes;
  }

  template <typename F>
  std::string_view lf(std::string_view bytes, F& on_frame) {
    const std::size_t lf = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, lf);
    if (lf != std::string_view::npos && partial_.empty()) {
      std::string_view frame = piece;
      if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
      deliver_lf(frame, on_frame);
      bytes.remove_prefix(lf + 1);
      state_ = state::boundary;
      return bytes;
    }
    // Keep at most max_frame + 1 bytes (a frame of exactly max_frame may end in CR).
    const std::size_t room = max_frame_ + 1 - std::min(partial_.size(), max_frame_ + 1);
    partial_.append(piece.substr(0, room));
    if (lf != std::string_view::npos) {
      bytes.remove_prefix(lf + 1);
      std::string_view frame(partial_);
      if (piece.size() > room) {
        on_frame(frame.substr(0, max_frame_), true);
        ++lf_framed_;
      } else {
        if (!frame.empty() && frame.back() == '\r') frame.remove_suffix(1);
        deliver_lf(frame, on_frame);
      }
      partial_.clear();
      state_ = state::boundary;
      return bytes;
    }
    if (piece.size() > room || partial_.size() > max_frame_ + (partial_.back() == '\r' ? 1 : 0)) {
      ++lf_framed_;
      on_frame(std::string_view(partial_).substr(0, max_frame_), true);
      partial_.clear();
      state_ = state::discard_lf;
    }
    return {};
  }

  template <typename F>
  void deliver_lf(std::string_view frame, F& on_frame) {
    if (frame.empty()) return;
    ++lf_framed_;
    if (frame.size() > max_frame_)
      on_frame(frame.substr(0, max_frame_), true);
    else
      on_frame(frame, false);
  }

  std::size_t max_frame_;
  state state_ = state::boundary;
  std::size_t length_ = 0;
  std::string partial_;
  std::uint64_t octet_counted_ = 0;
  std::uint64_t lf_framed_ = 0;
};

}  // namespace talaia::collectors::syslog
