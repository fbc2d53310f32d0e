#pragma once
// The compressed protocol (CLIENT_COMPRESS / CLIENT_ZSTD_COMPRESSION_ALGORITHM): after the login's
// OK every byte travels inside compressed packets, a layer of its own under the ordinary frames.
// A compressed packet is a 7-byte header (3-byte payload length, 1-byte sequence id, 3-byte
// uncompressed length, 0 when the payload is stored as is) and the payload: one zlib stream or
// one zstd frame holding a stretch of the inner byte stream. Inner frames may span compressed
// packets and one compressed packet may hold many inner frames.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {

enum class CompressionAlgorithm : std::uint8_t { kNone, kZlib, kZstd };

inline constexpr std::size_t kCompressedHeaderSize = 7;
// One compressed packet carries at most this many inner bytes (the 3-byte length field).
inline constexpr std::size_t kMaxCompressedChunk = 0xffffff;
// Servers store shorter stretches uncompressed: compressing them costs more than it saves.
inline constexpr std::size_t kMinCompressLength = 50;
inline constexpr int kDefaultZstdLevel = 3;  // MySQL's default for protocol_compression_level

struct CompressedHeader {
  std::uint32_t compressed_length = 0;    // payload bytes after the header
  std::uint8_t seq = 0;                   // the compressed layer's own sequence id
  std::uint32_t uncompressed_length = 0;  // 0: the payload is stored, not compressed
  bool operator==(const CompressedHeader&) const = default;
};

[[nodiscard]] CompressedHeader decode_compressed_header(const std::uint8_t* p) noexcept;
void encode_compressed_header(const CompressedHeader& h, std::uint8_t* p) noexcept;

// The algorithm a login's capabilities select. MySQL's rule: with both flags set, zlib is used.
[[nodiscard]] CompressionAlgorithm negotiated_compression(Capabilities caps) noexcept;

// Wraps inner bytes into compressed packets of at most kMaxCompressedChunk inner bytes each,
// numbered from `seq` on (advanced past the last one). Stretches under kMinCompressLength, and
// stretches that would not shrink, are stored. Every packet is a complete zlib stream / zstd
// frame, as the servers' decoders expect.
class Compressor {
 public:
  explicit Compressor(CompressionAlgorithm algorithm, int zstd_level = kDefaultZstdLevel);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  void compress(std::span<const std::uint8_t> inner, std::uint8_t& seq, std::vector<std::uint8_t>& out);
  [[nodiscard]] CompressionAlgorithm algorithm() const noexcept { return algorithm_; }

 private:
  struct ZstdContext;
  CompressionAlgorithm algorithm_;
  int zstd_level_;
  std::unique_ptr<ZstdContext> zstd_;
  std::vector<std::uint8_t> scratch_;
};

// Incremental decompressor: feed() received bytes in any chunks, read() inner bytes out into a
// buffer of any size. Memory stays bounded whatever the peer announces: input is taken only as
// far as read() consumes it, and output is produced into the caller's buffer as it fits, never
// sized by a header. A packet whose announced uncompressed length exceeds `max_chunk`, whose
// payload does not decompress to exactly that length, or that is not one whole zlib stream /
// zstd frame, is kMalformed; kPacketTooLarge for the size limit.
class Decompressor {
 public:
  explicit Decompressor(CompressionAlgorithm algorithm, std::size_t max_chunk = kMaxCompressedChunk);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Appends received bytes. read() should be drained before feeding more, to keep memory bounded.
  void feed(std::span<const std::uint8_t> bytes);
  // Writes up to out.size() inner bytes; 0 means more input is needed (not an error).
  [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> out);

  // Sequence id of the last compressed header read, and whether one was read since reset_seen().
  [[nodiscard]] std::uint8_t last_seq() const noexcept { return last_seq_; }
  [[nodiscard]] bool saw_header() const noexcept { return saw_header_; }
  void reset_seen() noexcept { saw_header_ = false; }
  // Received bytes not yet turned into inner bytes (the input still buffered).
  [[nodiscard]] std::size_t buffered() const noexcept { return in_.size() - in_pos_; }
  // Between compressed packets: no partial header or payload pending.
  [[nodiscard]] bool at_packet_boundary() const noexcept { return state_ == State::kHeader && buffered() == 0; }

 private:
  enum class State : std::uint8_t { kHeader, kStored, kCompressed };
  struct Streams;

  Result<std::size_t> read_compressed(std::span<std::uint8_t> out);
  void compact();

  CompressionAlgorithm algorithm_;
  std::size_t max_chunk_;
  std::unique_ptr<Streams> streams_;
  std::vector<std::uint8_t> in_;
  std::size_t in_pos_ = 0;
  State state_ = State::kHeader;
  std::size_t payload_left_ = 0;  // payload bytes of the current packet not yet taken from in_
  std::size_t output_left_ = 0;   // inner bytes the current packet still has to produce
  bool stream_ended_ = false;     // the zlib stream / zstd frame of the current packet ended
  bool magic_checked_ = false;    // zstd: the payload starts with the frame magic
  std::uint8_t last_seq_ = 0;
  bool saw_header_ = false;
  bool failed_ = false;
};

}  // namespace mysqlproxy::protocol
