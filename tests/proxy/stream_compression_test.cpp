#include "proxy/net/stream_compression.hpp"

#include <gtest/gtest.h>

#include "tests/support/hex.hpp"
#include "tests/support/packets.hpp"

namespace mysqlproxy::proxy {
namespace {

using protocol::CompressionAlgorithm;
using protocol::decode_compressed_header;
using test::Bytes;
using test::frame;
using test::hex;
using test::to_hex;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A stored compressed packet around `inner`.
Bytes stored(std::uint8_t seq, const Bytes& inner) {
  Bytes out(protocol::kCompressedHeaderSize);
  protocol::encode_compressed_header({static_cast<std::uint32_t>(inner.size()), seq, 0}, out.data());
  out.insert(out.end(), inner.begin(), inner.end());
  return out;
}

Bytes read_all(StreamCompression& sc) {
  Bytes out;
  Bytes buf(3);  // small reads: frames are restamped across read boundaries
  for (;;) {
    auto n = sc.read(buf);
    EXPECT_TRUE(n);
    if (!n || *n == 0) return out;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

TEST(StreamCompression, RestampsInnerIdsAsAnUncompressedServerWouldSendThem) {
  // As captured from MariaDB: after the client's LOCAL INFILE data (inner 2, 3) the server sends
  // its progress report as inner 3 and the OK as 4; a plain client expects 4 and 5.
  StreamCompression sc(CompressionAlgorithm::kZlib, 0);
  Bytes wire;
  sc.wrap(concat({frame(2, {'1', '\t', 'a', '\n'}), frame(3, {})}), wire);
  const Bytes progress = frame(3, {0xff, 0xff, 0xff, 0x01});
  const Bytes ok = frame(4, {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});
  sc.feed(concat({stored(3, progress), stored(4, ok)}));
  EXPECT_EQ(to_hex(read_all(sc)), to_hex(concat({frame(4, {0xff, 0xff, 0xff, 0x01}),
                                                frame(5, {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00})})));
  EXPECT_TRUE(sc.at_frame_boundary());
}

TEST(StreamCompression, CompressedIdsContinueFromTheLastReadAndRestartPerCommand) {
  StreamCompression sc(CompressionAlgorithm::kZlib, 0);
  // A client's command arrives in compressed packet 0: the answer goes out as 1, 2, ...
  sc.expect_inner(0);
  sc.feed(stored(0, frame(0, {0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'})));
  EXPECT_EQ(read_all(sc).size(), 13u);
  Bytes wire;
  sc.wrap(frame(1, {0x01}), wire);
  sc.wrap(frame(2, {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}), wire);
  EXPECT_EQ(to_hex(wire), to_hex(concat({stored(1, frame(1, {0x01})),
                                         stored(2, frame(2, {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}))})));
  // The proxy as a client: a new command starts again at 0.
  sc.restart();
  wire.clear();
  sc.wrap(frame(0, {0x0e}), wire);
  EXPECT_EQ(decode_compressed_header(wire.data()).seq, 0);
}

TEST(StreamCompression, BadInputIsAnError) {
  StreamCompression sc(CompressionAlgorithm::kZlib, 0);
  sc.feed(hex("05 00 00 00 10 00 00 01 02 03 04 05"));  // "compressed" bytes that are not zlib
  Bytes buf(64);
  EXPECT_FALSE(sc.read(buf));
}

}  // namespace
}  // namespace mysqlproxy::proxy
