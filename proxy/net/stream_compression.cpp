#include "proxy/net/stream_compression.hpp"

namespace mysqlproxy::proxy {

StreamCompression::StreamCompression(protocol::CompressionAlgorithm algorithm, int zstd_level)
    : compressor_(algorithm, zstd_level), decompressor_(algorithm) {}

protocol::Result<std::size_t> StreamCompression::read(std::span<std::uint8_t> out) {
  auto n = decompressor_.read(out);
  if (!n) return n;
  if (decompressor_.saw_header()) {
    seq_ = static_cast<std::uint8_t>(decompressor_.last_seq() + 1);
    decompressor_.reset_seen();
  }
  in_frames_.walk(out.first(*n), [this](std::uint8_t& seq) { seq = inner_next_++; });
  return n;
}

void StreamCompression::wrap(std::span<const std::uint8_t> inner, std::vector<std::uint8_t>& wire) {
  out_frames_.walk(inner, [this](std::uint8_t seq) { inner_next_ = static_cast<std::uint8_t>(seq + 1); });
  compressor_.compress(inner, seq_, wire);
}

}  // namespace mysqlproxy::proxy
