#pragma once
// FrameWalker: follows frame boundaries through a byte stream seen in pieces of any size, and
// hands each frame's sequence-id byte to a callback. The compressed protocol needs it: a
// compressed peer resyncs its inner sequence ids to the compressed ones after each flush (MariaDB
// and MySQL both do) and does not check them, so the inner ids are restamped on the way in to the
// ones an uncompressed peer would have sent.
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/constants.hpp"

namespace mysqlproxy::protocol {

class FrameWalker {
 public:
  // `on_seq(byte)` is called with the sequence-id byte of every frame header in `bytes` (a
  // reference when Byte is mutable, so the caller may rewrite it).
  template <class Byte, class OnSeq>
  void walk(std::span<Byte> bytes, OnSeq&& on_seq) {
    std::size_t at = 0;
    while (at < bytes.size()) {
      if (payload_left_ > 0) {
        const std::size_t n = payload_left_ < bytes.size() - at ? payload_left_ : bytes.size() - at;
        payload_left_ -= n;
        at += n;
        continue;
      }
      // A header byte: 3 length bytes, then the sequence id.
      if (header_seen_ < 3) {
        length_ |= static_cast<std::uint32_t>(bytes[at]) << (8 * header_seen_);
        ++header_seen_;
        ++at;
        continue;
      }
      on_seq(bytes[at]);
      ++at;
      payload_left_ = length_;
      header_seen_ = 0;
      length_ = 0;
    }
  }

  // Between frames: no header or payload bytes pending.
  [[nodiscard]] bool at_frame_boundary() const noexcept { return header_seen_ == 0 && payload_left_ == 0; }

 private:
  std::size_t header_seen_ = 0;  // length bytes of the current header seen so far
  std::uint32_t length_ = 0;
  std::size_t payload_left_ = 0;
};

}  // namespace mysqlproxy::protocol
