#pragma once
// StreamCompression: the compressed protocol on one connection, between PacketStream's socket
// and its callers, who keep seeing ordinary frames. No I/O: raw bytes are fed in, inner bytes read
// out, and inner bytes to send are wrapped.
//
// Sequence ids. The compressed layer numbers its packets on its own: a command's first packet
// carries 0 and the answer continues from the last id received, in both directions (a LOCAL INFILE
// exchange included), so the stream keeps one counter, set by every header read and advanced by
// every packet written; restart() marks a new command. Inner ids are not checked by compressed
// peers and MariaDB really sends them out of step, so incoming frames are restamped with the ids
// an uncompressed peer would have used: the one after the last frame written, then one more each.
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/compression.hpp"
#include "protocol/errors.hpp"
#include "protocol/frame_walker.hpp"

namespace mysqlproxy::proxy {

class StreamCompression {
 public:
  StreamCompression(protocol::CompressionAlgorithm algorithm, int zstd_level);

  // Raw bytes from the socket; read() must be drained before the next feed.
  void feed(std::span<const std::uint8_t> raw) { decompressor_.feed(raw); }
  // Inner bytes, restamped; 0 means more raw bytes are needed.
  [[nodiscard]] protocol::Result<std::size_t> read(std::span<std::uint8_t> out);
  // Wraps inner bytes into compressed packets appended to `wire`.
  void wrap(std::span<const std::uint8_t> inner, std::vector<std::uint8_t>& wire);

  void restart() noexcept { seq_ = 0; }
  // The inner id the next incoming frame gets (a framer reading a command says 0).
  void expect_inner(std::uint8_t seq) noexcept { inner_next_ = seq; }
  [[nodiscard]] bool at_frame_boundary() const noexcept { return in_frames_.at_frame_boundary(); }
  [[nodiscard]] protocol::CompressionAlgorithm algorithm() const noexcept { return compressor_.algorithm(); }

 private:
  protocol::Compressor compressor_;
  protocol::Decompressor decompressor_;
  protocol::FrameWalker in_frames_;
  protocol::FrameWalker out_frames_;
  std::uint8_t seq_ = 0;         // the compressed id the next packet written takes
  std::uint8_t inner_next_ = 0;  // the inner id the next frame read takes
};

}  // namespace mysqlproxy::proxy
