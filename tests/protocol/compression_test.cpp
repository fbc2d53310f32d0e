#include "protocol/compression.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "protocol/constants.hpp"
#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::Bytes;
using test::frame;
using test::hex;
using test::testdata_hex;
using test::to_hex;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes query(std::string_view sql) {
  Bytes payload(1 + sql.size(), static_cast<std::uint8_t>(Command::kQuery));
  std::copy(sql.begin(), sql.end(), payload.begin() + 1);
  return payload;
}

// Runs the whole of `wire` through a decompressor, fed in chunks of `feed_size` bytes and read out
// in chunks of `read_size`.
Result<Bytes> decompress_all(CompressionAlgorithm algorithm, const Bytes& wire, std::size_t feed_size,
                             std::size_t read_size, std::size_t max_chunk = kMaxCompressedChunk) {
  Decompressor d(algorithm, max_chunk);
  Bytes inner;
  Bytes buf(read_size);
  for (std::size_t at = 0; at < wire.size(); at += feed_size) {
    d.feed(std::span(wire).subspan(at, std::min(feed_size, wire.size() - at)));
    for (;;) {
      auto n = d.read(buf);
      if (!n) return n.error();
      if (*n == 0) break;
      inner.insert(inner.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  }
  if (!d.at_packet_boundary()) return ProtocolErrc::kTruncated;
  return inner;
}

// ---- header and negotiation ----

TEST(CompressedHeader, DecodesAndEncodes) {
  const auto bytes = hex("36 00 00 01 3a 00 00");
  EXPECT_EQ(decode_compressed_header(bytes.data()), (CompressedHeader{0x36, 1, 0x3a}));
  std::uint8_t out[kCompressedHeaderSize];
  encode_compressed_header({0xfffffe, 0xff, 0x123456}, out);
  EXPECT_EQ(to_hex(std::span<const std::uint8_t>(out)), "fe ff ff ff 56 34 12");
}

TEST(NegotiatedCompression, FollowsTheFlagsAndZlibWinsWhenBothAreSet) {
  EXPECT_EQ(negotiated_compression(Capabilities{kClientProtocol41}), CompressionAlgorithm::kNone);
  EXPECT_EQ(negotiated_compression(Capabilities{kClientCompress}), CompressionAlgorithm::kZlib);
  EXPECT_EQ(negotiated_compression(Capabilities{kClientZstdCompressionAlgorithm}), CompressionAlgorithm::kZstd);
  EXPECT_EQ(negotiated_compression(Capabilities{kClientCompress | kClientZstdCompressionAlgorithm}),
            CompressionAlgorithm::kZlib);
}

// ---- Compressor ----

TEST(Compressor, StoresShortStretchesAsServersDo) {
  // MySQL's documentation example: SELECT 1 sent uncompressed (length before compression 0).
  Compressor c(CompressionAlgorithm::kZlib);
  std::uint8_t seq = 0;
  Bytes out;
  c.compress(frame(0, query("SELECT 1")), seq, out);
  EXPECT_EQ(to_hex(out), to_hex(hex("0d 00 00 00 00 00 00 09 00 00 00 03 53 45 4c 45 43 54 20 31")));
  EXPECT_EQ(seq, 1);
}

TEST(Compressor, ZlibOutputIsZlibsOwn) {
  // 94 inner bytes; the payload is what zlib.compress() (level 6, as compress()) makes of them.
  std::string ab;
  for (int i = 0; i < 40; ++i) ab += "ab";
  const Bytes inner = frame(0, query("SELECT '" + ab + "'"));
  ASSERT_EQ(inner.size(), 94u);
  Compressor c(CompressionAlgorithm::kZlib);
  std::uint8_t seq = 5;
  Bytes out;
  c.compress(inner, seq, out);
  EXPECT_EQ(to_hex(out), to_hex(hex(R"(
      1a 00 00 05 5e 00 00
      78 9c 8b 62 60 60 60 0e 76 f5 71 75 0e 51 50 4f 4c a2 2e 54 07 00 c1 8c 21 04)")));
  EXPECT_EQ(seq, 6);
}

TEST(Compressor, StoresWhatDoesNotShrink) {
  Bytes noise;
  std::uint32_t x = 12345;
  for (int i = 0; i < 200; ++i) {
    x = x * 1103515245u + 12345u;
    noise.push_back(static_cast<std::uint8_t>(x >> 24));
  }
  Compressor c(CompressionAlgorithm::kZlib);
  std::uint8_t seq = 0;
  Bytes out;
  c.compress(noise, seq, out);
  ASSERT_EQ(out.size(), kCompressedHeaderSize + noise.size());
  EXPECT_EQ(decode_compressed_header(out.data()), (CompressedHeader{200, 0, 0}));
}

TEST(Compressor, SplitsAtSixteenMebibytesAndNumbersEachPacket) {
  const Bytes inner(kMaxCompressedChunk + 10, 'q');
  for (auto algorithm : {CompressionAlgorithm::kZlib, CompressionAlgorithm::kZstd}) {
    Compressor c(algorithm);
    std::uint8_t seq = 0xff;
    Bytes out;
    c.compress(inner, seq, out);
    EXPECT_EQ(seq, 1);  // 0xff, then 0x00
    const auto first = decode_compressed_header(out.data());
    EXPECT_EQ(first.seq, 0xff);
    EXPECT_EQ(first.uncompressed_length, kMaxCompressedChunk);
    const auto second = decode_compressed_header(out.data() + kCompressedHeaderSize + first.compressed_length);
    EXPECT_EQ(second.seq, 0x00);
    EXPECT_EQ(second.compressed_length, 10u);  // under kMinCompressLength: stored
    EXPECT_EQ(second.uncompressed_length, 0u);
    auto back = decompress_all(algorithm, out, out.size(), 1 << 20);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_TRUE(*back == inner);
  }
}

TEST(Compressor, ZstdRoundTrips) {
  Bytes inner;
  for (int i = 0; i < 100; ++i) {
    const auto f = frame(static_cast<std::uint8_t>(i), bytes_of("row " + std::to_string(i) + " of a zstd result"));
    inner.insert(inner.end(), f.begin(), f.end());
  }
  Compressor c(CompressionAlgorithm::kZstd, 7);
  std::uint8_t seq = 1;
  Bytes out;
  c.compress(inner, seq, out);
  EXPECT_LT(out.size(), inner.size() / 3);
  EXPECT_EQ(to_hex(std::span(out).subspan(kCompressedHeaderSize, 4)), "28 b5 2f fd");  // zstd magic
  auto back = decompress_all(CompressionAlgorithm::kZstd, out, 7, 13);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(*back == inner);
}

// ---- Decompressor ----

// "hello zstd " x 20, as the zstd 1.5.4 command line compresses it (-3 --no-check, from a pipe).
const Bytes kZstdFrame = hex("28 b5 2f fd 00 58 95 00 00 58 68 65 6c 6c 6f 20 7a 73 74 64 20 01 00 4e 53 c5 0b");

Bytes zstd_packet() {
  Bytes wire = hex("1b 00 00 00 dc 00 00");
  wire.insert(wire.end(), kZstdFrame.begin(), kZstdFrame.end());
  return wire;
}

TEST(Decompressor, ReadsAZstdFrameFromTheZstdTool) {
  std::string expected;
  for (int i = 0; i < 20; ++i) expected += "hello zstd ";
  auto inner = decompress_all(CompressionAlgorithm::kZstd, zstd_packet(), 1, 1);
  ASSERT_TRUE(inner) << inner.error().message();
  EXPECT_EQ(std::string(inner->begin(), inner->end()), expected);
}

TEST(Decompressor, RefusesZstdPayloadsThatAreNotCurrentFrames) {
  // The legacy v0.7 magic (27 b5 2f fd), a skippable frame and a payload too short for a magic:
  // refused whole and chunked alike (the library would read legacy frames differently in pieces).
  for (const Bytes& payload : {hex("27 b5 2f fd 20 58 20 01 00 4e 53 c5 0b"), hex("50 2a 4d 18 00 00 00 00"),
                               hex("28 b5 2f")}) {
    Bytes wire(kCompressedHeaderSize);
    encode_compressed_header({static_cast<std::uint32_t>(payload.size()), 0, 220}, wire.data());
    wire.insert(wire.end(), payload.begin(), payload.end());
    for (std::size_t feed : {std::size_t{1}, wire.size()}) {
      auto inner = decompress_all(CompressionAlgorithm::kZstd, wire, feed, 64);
      ASSERT_FALSE(inner) << to_hex(payload);
      EXPECT_EQ(inner.error(), ProtocolErrc::kMalformed) << to_hex(payload);
    }
  }
}

Bytes captured_client_inner() {
  const std::string file = "1\t" + std::string(65, 'a') + "\n2\t" + std::string(71, 'b') + "\n";
  Bytes inner;
  for (const Bytes& f : std::vector<Bytes>{frame(0, query("LOAD DATA LOCAL INFILE '/tmp/cz/rows.tsv' INTO TABLE t")),
                         frame(2, bytes_of(file)), frame(3, {}), frame(0, query("SELECT 1")),
                         frame(0, query("SELECT 2")), frame(0, Bytes{static_cast<std::uint8_t>(Command::kQuit)})}) {
    inner.insert(inner.end(), f.begin(), f.end());
  }
  return inner;
}

TEST(Decompressor, CapturedClientStreamWholeAndSplitAtEveryOffset) {
  const Bytes wire = testdata_hex("compressed_session_client.hex");
  const Bytes expected = captured_client_inner();
  for (std::size_t feed = 1; feed <= wire.size(); ++feed) {
    for (std::size_t read : {std::size_t{1}, std::size_t{5}, std::size_t{4096}}) {
      auto inner = decompress_all(CompressionAlgorithm::kZlib, wire, feed, read);
      ASSERT_TRUE(inner) << "feed " << feed << " read " << read << ": " << inner.error().message();
      ASSERT_EQ(to_hex(*inner), to_hex(expected)) << "feed " << feed << " read " << read;
    }
  }
}

TEST(Decompressor, ReportsEachCompressedSequenceId) {
  // The client's compressed ids restart at 0 with every command; its LOCAL INFILE data continues
  // the server's (the request came in compressed packet 1).
  const Bytes wire = testdata_hex("compressed_session_client.hex");
  Decompressor d(CompressionAlgorithm::kZlib);
  std::vector<int> seqs;
  std::size_t at = 0;
  Bytes buf(4096);
  while (at < wire.size()) {
    // One compressed packet at a time: its 7-byte header says how long it is.
    const auto h = decode_compressed_header(wire.data() + at);
    const std::size_t size = kCompressedHeaderSize + h.compressed_length;
    d.reset_seen();
    d.feed(std::span(wire).subspan(at, size));
    auto n = d.read(buf);
    ASSERT_TRUE(n);
    ASSERT_TRUE(d.saw_header());
    seqs.push_back(d.last_seq());
    at += size;
  }
  EXPECT_EQ(seqs, (std::vector<int>{0, 2, 0, 0, 0}));
}

TEST(Decompressor, CapturedServerStream) {
  const Bytes wire = testdata_hex("compressed_session_server.hex");
  auto inner = decompress_all(CompressionAlgorithm::kZlib, wire, 3, 7);
  ASSERT_TRUE(inner) << inner.error().message();
  // LOCAL INFILE request (seq 1), progress report (seq 3), OK (seq 4), then two result sets.
  EXPECT_EQ(to_hex(*inner), to_hex(hex(R"(
      11 00 00 01 fb 2f 74 6d 70 2f 63 7a 2f 72 6f 77 73 2e 74 73 76
      19 00 00 03 ff ff ff 01 02 02 00 00 00 0f 45 6e 64 20 62 75 6c 6b 20 69 6e 73 65 72 74
      4b 00 00 04 00 02 00 02 40 00 00 2f 52 65 63 6f 72 64 73 3a 20 32 20 20 44 65 6c 65 74 65 64
        3a 20 30 20 20 53 6b 69 70 70 65 64 3a 20 30 20 20 57 61 72 6e 69 6e 67 73 3a 20 30 13 00 11
        09 6c 61 73 74 5f 67 74 69 64 06 30 2d 31 2d 31 38
      02 00 00 01 01 01  18 00 00 02 03 64 65 66 00 00 00 01 31 00 00 0c 3f 00 01 00 00 00 03 81 00 00
        00 00  05 00 00 03 fe 00 00 02 00  02 00 00 04 01 31  05 00 00 05 fe 00 00 02 00
      02 00 00 01 01 01  18 00 00 02 03 64 65 66 00 00 00 01 32 00 00 0c 3f 00 01 00 00 00 03 81 00 00
        00 00  05 00 00 03 fe 00 00 02 00  02 00 00 04 01 32  05 00 00 05 fe 00 00 02 00)")));
}

TEST(Decompressor, NeedsMoreBytesIsNotAnError) {
  Decompressor d(CompressionAlgorithm::kZlib);
  Bytes buf(64);
  d.feed(hex("0d 00 00 00 00 00"));
  auto n = d.read(buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
  EXPECT_FALSE(d.at_packet_boundary());
  d.feed(hex("00 09 00 00 00 03 53"));
  n = d.read(buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(to_hex(std::span(buf).first(*n)), "09 00 00 00 03 53");
}

Bytes zlib_packet(std::uint32_t announced, const Bytes& payload) {
  Bytes wire(kCompressedHeaderSize);
  encode_compressed_header({static_cast<std::uint32_t>(payload.size()), 0, announced}, wire.data());
  wire.insert(wire.end(), payload.begin(), payload.end());
  return wire;
}

// zlib.compress(b"\x05\x00\x00\x01" + b"x" * 60): a 64-byte inner frame.
const Bytes kZlib64 = hex("78 9c 63 65 60 60 ac a0 00 00 00 5b ba 1c 27");

TEST(Decompressor, AcceptsTheAnnouncedLengthExactly) {
  auto inner = decompress_all(CompressionAlgorithm::kZlib, zlib_packet(64, kZlib64), 1, 1);
  ASSERT_TRUE(inner) << inner.error().message();
  EXPECT_EQ(inner->size(), 64u);
}

TEST(Decompressor, RejectsOutputLongerOrShorterThanAnnounced) {
  for (std::uint32_t announced : {63u, 65u, 1000u}) {
    auto inner = decompress_all(CompressionAlgorithm::kZlib, zlib_packet(announced, kZlib64), 64, 4096);
    ASSERT_FALSE(inner) << announced;
    EXPECT_EQ(inner.error(), ProtocolErrc::kMalformed) << announced;
  }
}

TEST(Decompressor, RejectsBytesAfterTheStreamInsideThePayload) {
  Bytes payload = kZlib64;
  payload.push_back(0x00);
  auto inner = decompress_all(CompressionAlgorithm::kZlib, zlib_packet(64, payload), 100, 4096);
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error(), ProtocolErrc::kMalformed);
}

TEST(Decompressor, RejectsAPayloadThatEndsBeforeItsStream) {
  const Bytes cut(kZlib64.begin(), kZlib64.end() - 3);
  auto inner = decompress_all(CompressionAlgorithm::kZlib, zlib_packet(64, cut), 100, 4096);
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error(), ProtocolErrc::kMalformed);
}

TEST(Decompressor, RejectsGarbageAndStaysFailed) {
  Decompressor d(CompressionAlgorithm::kZlib);
  d.feed(zlib_packet(64, hex("01 02 03 04 05 06 07 08")));
  Bytes buf(64);
  auto n = d.read(buf);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), ProtocolErrc::kMalformed);
  d.feed(hex("0d 00 00 00 00 00 00 09 00 00 00 03 53 45 4c 45 43 54 20 31"));
  EXPECT_FALSE(d.read(buf));
}

TEST(Decompressor, RejectsAnnouncedSizesOverItsLimit) {
  // A peer may ask for at most max_chunk inner bytes per packet, before any is decompressed.
  auto inner = decompress_all(CompressionAlgorithm::kZlib, zlib_packet(64, kZlib64), 100, 4096, 63);
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error(), ProtocolErrc::kPacketTooLarge);
}

TEST(Decompressor, ZlibBombIsBoundedByTheAnnouncedLength) {
  // 16 MiB of zeros announced as 1000 bytes: stopped after 1000, nothing larger is allocated.
  const Bytes zeros(1 << 24, 0);
  Compressor c(CompressionAlgorithm::kZlib);
  std::uint8_t seq = 0;
  Bytes out;
  c.compress(std::span(zeros).first(kMaxCompressedChunk), seq, out);
  encode_compressed_header({decode_compressed_header(out.data()).compressed_length, 0, 1000}, out.data());
  auto inner = decompress_all(CompressionAlgorithm::kZlib, out, out.size(), 4096);
  ASSERT_FALSE(inner);
  EXPECT_EQ(inner.error(), ProtocolErrc::kMalformed);
}

TEST(Decompressor, EmptyStoredPacketYieldsNothing) {
  auto inner = decompress_all(CompressionAlgorithm::kZlib, hex("00 00 00 04 00 00 00"), 7, 16);
  ASSERT_TRUE(inner);
  EXPECT_TRUE(inner->empty());
}

}  // namespace
}  // namespace mysqlproxy::protocol
