#pragma once
// Framing: every packet travels as one or more frames of a 3-byte length and a 1-byte sequence id.
// A payload of 0xffffff bytes or more is split into 0xffffff-byte frames and ends with a shorter
// (possibly empty) frame, each frame taking the next sequence id.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/constants.hpp"

namespace mysqlproxy::protocol {

struct FrameHeader {
  std::uint32_t length = 0;  // payload bytes in this frame, at most 0xffffff
  std::uint8_t seq = 0;
  bool operator==(const FrameHeader&) const = default;
};

[[nodiscard]] inline FrameHeader decode_frame_header(const std::uint8_t* p) noexcept {
  return {static_cast<std::uint32_t>(p[0] | (p[1] << 8) | (p[2] << 16)), p[3]};
}

inline void encode_frame_header(FrameHeader h, std::uint8_t* p) noexcept {
  p[0] = static_cast<std::uint8_t>(h.length);
  p[1] = static_cast<std::uint8_t>(h.length >> 8);
  p[2] = static_cast<std::uint8_t>(h.length >> 16);
  p[3] = h.seq;
}

// Appends `payload` to `out` as frames starting at sequence id `seq`; returns the sequence id that
// the next packet of this exchange takes.
std::uint8_t encode_frames(std::span<const std::uint8_t> payload, std::uint8_t seq,
                           std::vector<std::uint8_t>& out);

// Reserves a frame header in `out` before a payload is appended in place; finish_frames() then
// fills it in (and splits the payload if it reached 0xffffff bytes). Saves a copy for small packets.
[[nodiscard]] std::size_t begin_frame(std::vector<std::uint8_t>& out);
std::uint8_t finish_frames(std::vector<std::uint8_t>& out, std::size_t frame_start, std::uint8_t seq);

}  // namespace mysqlproxy::protocol
