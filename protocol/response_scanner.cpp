#include "protocol/response_scanner.hpp"

#include <algorithm>

#include "protocol/frame.hpp"

namespace mysqlproxy::protocol {

Result<std::size_t> ResponseScanner::scan(std::span<const std::uint8_t> data) noexcept {
  std::size_t pos = 0;
  for (;;) {
    if (skip_ > 0) {
      const std::size_t n = std::min(skip_, data.size() - pos);
      pos += n;
      skip_ -= n;
      if (skip_ > 0) return pos;  // the rest of this frame has not arrived yet
    }
    if (pos == data.size()) return pos;
    if (tracker_.done() && !continuation_) return ProtocolErrc::kUnexpectedPacket;  // bytes after the end
    if (tracker_.awaiting_local_infile() && !continuation_) return ProtocolErrc::kUnexpectedPacket;
    if (data.size() - pos < kFrameHeaderSize) return pos;

    const FrameHeader h = decode_frame_header(data.data() + pos);
    if (h.seq != expected_seq_) return ProtocolErrc::kBadSequence;
    const std::size_t available = data.size() - pos - kFrameHeaderSize;
    if (!continuation_) {
      // A new packet: inspect it once enough of it is here.
      const std::size_t needed = std::min<std::size_t>(h.length, kInspectLimit);
      if (available < needed) return pos;
      const auto first = data.subspan(pos + kFrameHeaderSize, std::min<std::size_t>(h.length, available));
      last_kind_ = tracker_.on_packet(first, h.length);
      if (last_kind_ == PacketKind::kUnexpected) return ProtocolErrc::kUnexpectedPacket;
    }
    ++expected_seq_;
    continuation_ = h.length == kMaxFramePayload;
    skip_ = h.length;
    pos += kFrameHeaderSize;
  }
}

}  // namespace mysqlproxy::protocol
