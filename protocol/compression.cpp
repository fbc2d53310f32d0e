#include "protocol/compression.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "protocol/constants.hpp"

namespace mysqlproxy::protocol {
namespace {

// Compressing a large value takes a scratch buffer as large; it is not kept beyond this.
constexpr std::size_t kKeepScratch = 1 << 20;

// Every zstd payload is one frame of the current format. Anything else (the legacy formats the
// library may still read, skippable frames) is refused before the library sees it.
constexpr std::uint8_t kZstdMagic[] = {0x28, 0xb5, 0x2f, 0xfd};

// A zstd window larger than one packet's 16 MiB is never needed; refusing it bounds the memory a
// hostile frame header can ask for.
constexpr int kZstdWindowLogMax = 24;

std::uint32_t u24(const std::uint8_t* p) noexcept {
  return static_cast<std::uint32_t>(p[0] | (p[1] << 8) | (p[2] << 16));
}

void put_u24(std::uint32_t v, std::uint8_t* p) noexcept {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
}

}  // namespace

CompressedHeader decode_compressed_header(const std::uint8_t* p) noexcept { return {u24(p), p[3], u24(p + 4)}; }

void encode_compressed_header(const CompressedHeader& h, std::uint8_t* p) noexcept {
  put_u24(h.compressed_length, p);
  p[3] = h.seq;
  put_u24(h.uncompressed_length, p + 4);
}

CompressionAlgorithm negotiated_compression(Capabilities caps) noexcept {
  if (caps.has(kClientCompress)) return CompressionAlgorithm::kZlib;
  if (caps.has(kClientZstdCompressionAlgorithm)) return CompressionAlgorithm::kZstd;
  return CompressionAlgorithm::kNone;
}

// ---- Compressor ----

struct Compressor::ZstdContext {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~ZstdContext() { ZSTD_freeCCtx(cctx); }
};

Compressor::Compressor(CompressionAlgorithm algorithm, int zstd_level)
    : algorithm_(algorithm), zstd_level_(zstd_level) {
  if (algorithm_ == CompressionAlgorithm::kZstd) zstd_ = std::make_unique<ZstdContext>();
}

Compressor::~Compressor() = default;

void Compressor::compress(std::span<const std::uint8_t> inner, std::uint8_t& seq, std::vector<std::uint8_t>& out) {
  while (!inner.empty()) {
    const auto chunk = inner.first(std::min(inner.size(), kMaxCompressedChunk));
    inner = inner.subspan(chunk.size());
    std::size_t packed = 0;  // 0: store
    if (chunk.size() >= kMinCompressLength) {
      if (algorithm_ == CompressionAlgorithm::kZlib) {
        uLongf size = compressBound(static_cast<uLong>(chunk.size()));
        scratch_.resize(size);
        if (::compress(scratch_.data(), &size, chunk.data(), static_cast<uLong>(chunk.size())) == Z_OK) packed = size;
      } else if (algorithm_ == CompressionAlgorithm::kZstd) {
        scratch_.resize(ZSTD_compressBound(chunk.size()));
        const std::size_t size =
            ZSTD_compressCCtx(zstd_->cctx, scratch_.data(), scratch_.size(), chunk.data(), chunk.size(), zstd_level_);
        if (!ZSTD_isError(size)) packed = size;
      }
      if (packed >= chunk.size()) packed = 0;  // did not shrink: store, as servers do
    }
    const std::size_t at = out.size();
    out.resize(at + kCompressedHeaderSize);
    CompressedHeader h;
    h.seq = seq++;
    if (packed != 0) {
      h.compressed_length = static_cast<std::uint32_t>(packed);
      h.uncompressed_length = static_cast<std::uint32_t>(chunk.size());
      out.insert(out.end(), scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(packed));
    } else {
      h.compressed_length = static_cast<std::uint32_t>(chunk.size());
      out.insert(out.end(), chunk.begin(), chunk.end());
    }
    encode_compressed_header(h, out.data() + at);
  }
  if (scratch_.capacity() > kKeepScratch) std::vector<std::uint8_t>().swap(scratch_);
}

// ---- Decompressor ----

struct Decompressor::Streams {
  z_stream zlib{};
  bool zlib_ready = false;
  ZSTD_DCtx* zstd = nullptr;
  ~Streams() {
    if (zlib_ready) inflateEnd(&zlib);
    ZSTD_freeDCtx(zstd);
  }
};

Decompressor::Decompressor(CompressionAlgorithm algorithm, std::size_t max_chunk)
    : algorithm_(algorithm), max_chunk_(std::min(max_chunk, kMaxCompressedChunk)), streams_(std::make_unique<Streams>()) {
  if (algorithm_ == CompressionAlgorithm::kZlib) {
    streams_->zlib_ready = inflateInit(&streams_->zlib) == Z_OK;
  } else if (algorithm_ == CompressionAlgorithm::kZstd) {
    streams_->zstd = ZSTD_createDCtx();
    if (streams_->zstd != nullptr) ZSTD_DCtx_setParameter(streams_->zstd, ZSTD_d_windowLogMax, kZstdWindowLogMax);
  }
}

Decompressor::~Decompressor() = default;

void Decompressor::feed(std::span<const std::uint8_t> bytes) {
  compact();
  in_.insert(in_.end(), bytes.begin(), bytes.end());
}

void Decompressor::compact() {
  if (in_pos_ == 0) return;
  in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(in_pos_));
  in_pos_ = 0;
}

Result<std::size_t> Decompressor::read(std::span<std::uint8_t> out) {
  if (failed_) return ProtocolErrc::kMalformed;
  std::size_t produced = 0;
  while (produced < out.size()) {
    if (state_ == State::kHeader) {
      if (buffered() < kCompressedHeaderSize) break;
      const CompressedHeader h = decode_compressed_header(in_.data() + in_pos_);
      in_pos_ += kCompressedHeaderSize;
      last_seq_ = h.seq;
      saw_header_ = true;
      payload_left_ = h.compressed_length;
      if (h.uncompressed_length == 0) {
        state_ = State::kStored;
        continue;
      }
      if (h.uncompressed_length > max_chunk_) {
        failed_ = true;
        return ProtocolErrc::kPacketTooLarge;
      }
      bool reset = false;
      if (algorithm_ == CompressionAlgorithm::kZlib && streams_->zlib_ready) {
        reset = inflateReset(&streams_->zlib) == Z_OK;
      } else if (algorithm_ == CompressionAlgorithm::kZstd && streams_->zstd != nullptr) {
        reset = !ZSTD_isError(ZSTD_DCtx_reset(streams_->zstd, ZSTD_reset_session_only));
      }
      if (!reset) {
        failed_ = true;
        return ProtocolErrc::kMalformed;
      }
      output_left_ = h.uncompressed_length;
      stream_ended_ = false;
      magic_checked_ = algorithm_ != CompressionAlgorithm::kZstd;
      state_ = State::kCompressed;
      continue;
    }
    if (state_ == State::kStored) {
      const std::size_t n = std::min({payload_left_, buffered(), out.size() - produced});
      std::memcpy(out.data() + produced, in_.data() + in_pos_, n);
      in_pos_ += n;
      payload_left_ -= n;
      produced += n;
      if (payload_left_ == 0) {
        state_ = State::kHeader;
        continue;
      }
      if (n == 0) break;
      continue;
    }
    auto made = read_compressed(out.subspan(produced));
    if (!made) {
      failed_ = true;
      return made.error();
    }
    produced += *made;
    if (*made == 0 && state_ == State::kCompressed) break;  // needs more input
  }
  if (buffered() == 0 || in_pos_ > in_.size() / 2) compact();
  return produced;
}

// Runs the current packet's zlib stream / zstd frame over the input at hand. Returns the inner
// bytes made; 0 with state_ still kCompressed means the input ran out. Output beyond the announced
// length is caught by offering a 1-byte scratch buffer once the announced bytes are out.
Result<std::size_t> Decompressor::read_compressed(std::span<std::uint8_t> out) {
  if (!magic_checked_) {
    if (payload_left_ < sizeof kZstdMagic) return ProtocolErrc::kMalformed;
    if (buffered() < sizeof kZstdMagic) return 0;
    if (std::memcmp(in_.data() + in_pos_, kZstdMagic, sizeof kZstdMagic) != 0) return ProtocolErrc::kMalformed;
    magic_checked_ = true;
  }
  for (;;) {
    if (stream_ended_) {
      if (payload_left_ != 0 || output_left_ != 0) return ProtocolErrc::kMalformed;
      state_ = State::kHeader;
      return 0;
    }
    const std::size_t avail_in = std::min(payload_left_, buffered());
    std::uint8_t scratch = 0;
    const bool probing = output_left_ == 0;
    std::uint8_t* out_ptr = probing ? &scratch : out.data();
    const std::size_t out_cap = probing ? 1 : std::min(out.size(), output_left_);
    std::size_t used = 0;
    std::size_t made = 0;
    if (algorithm_ == CompressionAlgorithm::kZlib) {
      z_stream& z = streams_->zlib;
      z.next_in = in_.data() + in_pos_;
      z.avail_in = static_cast<uInt>(avail_in);
      z.next_out = out_ptr;
      z.avail_out = static_cast<uInt>(out_cap);
      const int rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return ProtocolErrc::kMalformed;
      used = avail_in - z.avail_in;
      made = out_cap - z.avail_out;
      stream_ended_ = rc == Z_STREAM_END;
    } else {
      ZSTD_inBuffer in{in_.data() + in_pos_, avail_in, 0};
      ZSTD_outBuffer o{out_ptr, out_cap, 0};
      const std::size_t rc = ZSTD_decompressStream(streams_->zstd, &o, &in);
      if (ZSTD_isError(rc)) return ProtocolErrc::kMalformed;
      used = in.pos;
      made = o.pos;
      stream_ended_ = rc == 0;
    }
    in_pos_ += used;
    payload_left_ -= used;
    if (probing && made != 0) return ProtocolErrc::kMalformed;  // more than announced
    output_left_ -= made;
    if (stream_ended_) {
      if (made != 0) {
        // Report these bytes now; the end checks run on the next call.
        return made;
      }
      continue;
    }
    if (made != 0) return made;
    if (used != 0) continue;
    // No progress: the payload is exhausted before the stream ended, or more input must come.
    if (payload_left_ == 0) return ProtocolErrc::kMalformed;
    return 0;
  }
}

}  // namespace mysqlproxy::protocol
