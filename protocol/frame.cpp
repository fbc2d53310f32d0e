#include "protocol/frame.hpp"

#include <algorithm>

namespace mysqlproxy::protocol {

std::uint8_t encode_frames(std::span<const std::uint8_t> payload, std::uint8_t seq,
                           std::vector<std::uint8_t>& out) {
  std::size_t offset = 0;
  for (;;) {
    const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(payload.size() - offset, kMaxFramePayload));
    std::uint8_t header[kFrameHeaderSize];
    encode_frame_header({n, seq++}, header);
    out.insert(out.end(), header, header + kFrameHeaderSize);
    out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(offset),
               payload.begin() + static_cast<std::ptrdiff_t>(offset + n));
    offset += n;
    if (n < kMaxFramePayload) return seq;  // a full frame is always followed by another
  }
}

std::size_t begin_frame(std::vector<std::uint8_t>& out) {
  const std::size_t start = out.size();
  out.resize(start + kFrameHeaderSize);
  return start;
}

std::uint8_t finish_frames(std::vector<std::uint8_t>& out, std::size_t frame_start, std::uint8_t seq) {
  const std::size_t payload_size = out.size() - frame_start - kFrameHeaderSize;
  if (payload_size < kMaxFramePayload) {
    encode_frame_header({static_cast<std::uint32_t>(payload_size), seq}, out.data() + frame_start);
    return static_cast<std::uint8_t>(seq + 1);
  }
  // Rare: a payload of 16 MiB or more. Re-frame it through a copy.
  std::vector<std::uint8_t> payload(out.begin() + static_cast<std::ptrdiff_t>(frame_start + kFrameHeaderSize), out.end());
  out.resize(frame_start);
  return encode_frames(payload, seq, out);
}

}  // namespace mysqlproxy::protocol
