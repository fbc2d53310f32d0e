#include "protocol/packet_decoder.hpp"

#include <algorithm>
#include <cstring>

namespace mysqlproxy::protocol {

std::span<std::uint8_t> PacketDecoder::prepare(std::size_t min_bytes) {
  consume();
  // Room for the rest of a large packet grows with the bytes that arrived, at most doubling them:
  // a header that only announces 16 MiB costs nothing until they come.
  min_bytes = std::max(min_bytes, std::min(wanted_, write_pos_ - read_pos_));
  if (read_pos_ == write_pos_) {
    read_pos_ = write_pos_ = 0;
  } else if (read_pos_ > 0 && buf_.size() - write_pos_ < min_bytes) {
    // Compact: move the partial packet to the front instead of growing.
    std::memmove(buf_.data(), buf_.data() + read_pos_, write_pos_ - read_pos_);
    write_pos_ -= read_pos_;
    read_pos_ = 0;
  }
  if (buf_.size() - write_pos_ < min_bytes) buf_.resize(write_pos_ + min_bytes);
  return {buf_.data() + write_pos_, buf_.size() - write_pos_};
}

void PacketDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;  // memcpy from/to a null pointer is undefined even for 0 bytes
  auto space = prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

void PacketDecoder::consume() noexcept {
  read_pos_ += pending_consume_;
  pending_consume_ = 0;
}

Result<std::optional<Packet>> PacketDecoder::next() {
  consume();
  // Walk the frames of one packet without copying; join only if it spans several frames.
  std::size_t pos = read_pos_;
  std::size_t total = 0;
  std::size_t frames = 0;
  std::uint8_t seq = expected_seq_;
  for (;;) {
    if (write_pos_ - pos < kFrameHeaderSize) return std::optional<Packet>{};
    const FrameHeader h = decode_frame_header(buf_.data() + pos);
    if (h.seq != seq) return ProtocolErrc::kBadSequence;
    if (total + h.length > max_packet_size_) return ProtocolErrc::kPacketTooLarge;
    const std::size_t have = write_pos_ - pos - kFrameHeaderSize;
    if (have < h.length) {
      wanted_ = h.length - have + kFrameHeaderSize;
      return std::optional<Packet>{};
    }
    total += h.length;
    pos += kFrameHeaderSize + h.length;
    ++seq;
    ++frames;
    if (h.length < kMaxFramePayload) break;
  }

  wanted_ = 0;
  Packet packet{expected_seq_, seq, {}, {buf_.data() + read_pos_, pos - read_pos_}};
  if (frames == 1) {
    packet.payload = {buf_.data() + read_pos_ + kFrameHeaderSize, total};
  } else {
    joined_.clear();
    joined_.reserve(total);
    for (std::size_t p = read_pos_; p < pos;) {
      const FrameHeader h = decode_frame_header(buf_.data() + p);
      joined_.insert(joined_.end(), buf_.data() + p + kFrameHeaderSize, buf_.data() + p + kFrameHeaderSize + h.length);
      p += kFrameHeaderSize + h.length;
    }
    packet.payload = joined_;
  }
  pending_consume_ = pos - read_pos_;
  expected_seq_ = seq;
  return std::optional<Packet>{packet};
}

}  // namespace mysqlproxy::protocol
