// Connection attributes: exact bytes both ways, the 64 KiB cap servers apply, and a block packed
// with empty pairs kept as one block (what a pre-auth memory attack sends).
#include "protocol/connect_attributes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/handshake.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::to_hex;
using Bytes = std::vector<std::uint8_t>;

Result<ConnectAttributes> read(const Bytes& bytes) {
  WireReader r(bytes);
  ConnectAttributes out;
  read_connect_attributes(r, out);
  if (auto ec = r.check_finished()) return ec;
  return out;
}

// A lenenc total of `size`, then `size` zero bytes: size / 2 empty pairs.
Bytes empty_pairs(std::size_t size) {
  Bytes out;
  WireWriter w(out);
  w.lenenc_int(size);
  out.insert(out.end(), size, 0x00);
  return out;
}

TEST(ConnectAttributes, ReadsPairsInWireOrderAsViews) {
  const Bytes wire = hex(R"(
      10  // block: 16 bytes
      03 5f 6f 73  // "_os"
      05 4c 69 6e 75 78  // "Linux"
      04 5f 70 69 64  // "_pid"
      00  // ""
  )");
  auto a = read(wire);
  ASSERT_TRUE(a) << a.error().message();
  const auto pairs = a->pairs();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].first, "_os");
  EXPECT_EQ(pairs[0].second, "Linux");
  EXPECT_EQ(pairs[1].first, "_pid");
  EXPECT_EQ(pairs[1].second, "");
  EXPECT_EQ(a->block().size(), 16u);
  EXPECT_EQ(*a, (ConnectAttributes{{"_os", "Linux"}, {"_pid", ""}}));

  Bytes out;
  WireWriter w(out);
  write_connect_attributes(*a, w);
  EXPECT_EQ(to_hex(out), to_hex(wire));
}

TEST(ConnectAttributes, AnEmptyBlockIsEmpty) {
  auto a = read(hex("00"));
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->empty());
  EXPECT_TRUE(a->pairs().empty());
  Bytes out;
  WireWriter w(out);
  write_connect_attributes(ConnectAttributes{}, w);
  EXPECT_EQ(to_hex(out), "00");
}

TEST(ConnectAttributes, TakesSixtyFourKibibytesOfEmptyPairsAsOneBlock) {
  auto a = read(empty_pairs(65534));
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->block().size(), 65534u) << "kept as the block it came in, not as 32767 strings";
  EXPECT_EQ(a->pairs().size(), 32767u);
}

TEST(ConnectAttributes, ABlockOverTheServersCapIsTooLarge) {
  EXPECT_TRUE(read(empty_pairs(ConnectAttributes::kMaxBlockSize - 1)));
  auto over = read(empty_pairs(ConnectAttributes::kMaxBlockSize + 1));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), ProtocolErrc::kPacketTooLarge);
  // Announced but not sent: the cap answers before the length is compared with what is there.
  auto announced = read(hex("fd 00 00 01"));  // 16 MiB
  ASSERT_FALSE(announced);
  EXPECT_EQ(announced.error(), ProtocolErrc::kPacketTooLarge);
}

TEST(ConnectAttributes, APairOverrunningTheBlockIsMalformed) {
  // The block says 4 bytes; its one key says 5.
  auto a = read(hex("04 05 61 62 63"));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error(), ProtocolErrc::kMalformed);
  // A key without its value.
  auto b = read(hex("02 01 61"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error(), ProtocolErrc::kMalformed);
}

TEST(ConnectAttributes, AHandshakeResponseWithAnOversizedBlockDoesNotDecode) {
  HandshakeResponse41 r;
  r.capabilities = Capabilities{kClientProtocol41 | kClientSecureConnection | kClientPluginAuth | kClientConnectAttrs};
  r.username = "u";
  r.auth_plugin_name = "mysql_native_password";
  Bytes payload;
  encode_handshake_response(r, payload);
  payload.pop_back();  // the empty block's length: replaced below
  Bytes big = payload;
  const Bytes block = empty_pairs(ConnectAttributes::kMaxBlockSize + 1);
  big.insert(big.end(), block.begin(), block.end());
  auto decoded = decode_handshake_response(big);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), ProtocolErrc::kPacketTooLarge);

  const Bytes fits = empty_pairs(ConnectAttributes::kMaxBlockSize - 1);
  payload.insert(payload.end(), fits.begin(), fits.end());
  auto ok = decode_handshake_response(payload);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->attributes.block().size(), ConnectAttributes::kMaxBlockSize - 1);
}

}  // namespace
}  // namespace mysqlproxy::protocol
