// Fuzz target: protocol::Decompressor, the compressed protocol's incremental reader, fed a peer's
// bytes in arbitrary chunks and read out through buffers of arbitrary sizes, as PacketStream does.
//
// Input: [feed seed][read seed][options][stream...]
//   options bit 0: zstd instead of zlib; bits 1-2: per-packet limit 16 MiB - 1 / 100 / 4096 / 0.
// Invariants: whatever the chunking, the inner bytes and the final error are those of one feed of
// the whole stream read in one large buffer; no read returns more than its buffer; the inner
// bytes never exceed what the headers announce (stored payloads count as announced); and
// compressing the inner bytes again with Compressor and decompressing them gives them back.
#include <algorithm>

#include "protocol/compression.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;

namespace {

constexpr std::size_t kLimits[] = {kMaxCompressedChunk, 100, 4096, 0};

struct Outcome {
  Bytes inner;
  boost::system::error_code error;
  bool boundary = false;
};

Outcome run(CompressionAlgorithm algorithm, std::size_t limit, std::span<const std::uint8_t> stream,
            std::uint8_t feed_seed, std::uint8_t read_seed) {
  Outcome out;
  Decompressor d(algorithm, limit);
  // Read sizes from 1 to 64, cycled (seed 0: 4 KiB buffers).
  const auto read_sizes = mysqlproxy::fuzz::chunk_sizes(read_seed, 4096);
  std::size_t next_read = 0;
  Bytes buf(4096);
  std::size_t fed = 0;
  for (std::size_t chunk : mysqlproxy::fuzz::chunk_sizes(feed_seed, stream.size())) {
    d.feed(stream.subspan(fed, chunk));
    fed += chunk;
    for (;;) {
      const std::size_t want = read_sizes[next_read++ % read_sizes.size()];
      auto n = d.read(std::span(buf).first(want));
      if (!n) {
        out.error = n.error();
        return out;
      }
      FUZZ_CHECK(*n <= want);
      if (*n == 0) break;
      out.inner.insert(out.inner.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  }
  out.boundary = d.at_packet_boundary();
  return out;
}

// What the headers of whole packets in `stream` announce, as an upper bound of the inner bytes.
std::size_t announced(std::span<const std::uint8_t> stream) {
  std::size_t total = 0;
  for (std::size_t at = 0; stream.size() - at >= kCompressedHeaderSize;) {
    const auto h = decode_compressed_header(stream.data() + at);
    total += h.uncompressed_length != 0 ? h.uncompressed_length : h.compressed_length;
    at += kCompressedHeaderSize + h.compressed_length;
    if (at > stream.size()) break;
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t feed_seed = in.u8();
  const std::uint8_t read_seed = in.u8();
  const std::uint8_t options = in.u8();
  const auto stream = in.rest();
  const auto algorithm = (options & 1) != 0 ? CompressionAlgorithm::kZstd : CompressionAlgorithm::kZlib;
  const std::size_t limit = kLimits[(options >> 1) & 3];

  const Outcome whole = run(algorithm, limit, stream, 0, 0);
  const Outcome chunked = run(algorithm, limit, stream, feed_seed, read_seed);
  FUZZ_CHECK(chunked.error == whole.error);
  FUZZ_CHECK(chunked.inner == whole.inner || whole.error);
  if (!whole.error) FUZZ_CHECK(chunked.boundary == whole.boundary);
  if (!whole.error) FUZZ_CHECK(whole.inner.size() <= announced(stream));

  // Round trip: whatever came out goes back in and out unchanged.
  Compressor compressor(algorithm);
  std::uint8_t seq = options;
  Bytes wire;
  compressor.compress(whole.inner, seq, wire);
  const Outcome again = run(algorithm, kMaxCompressedChunk, wire, feed_seed, read_seed);
  FUZZ_CHECK(!again.error);
  FUZZ_CHECK(again.boundary);
  FUZZ_CHECK(again.inner == whole.inner);
  return 0;
}
