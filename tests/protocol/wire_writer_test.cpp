#include "protocol/wire_writer.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "protocol/wire_reader.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::to_hex;

TEST(WireWriter, FixedIntegersAreLittleEndian) {
  std::vector<std::uint8_t> out;
  WireWriter w(out);
  w.u8(0x01);
  w.u16(0x0302);
  w.u24(0x060504);
  w.u32(0x0a090807);
  w.u48(0x100f0e0d0c0b);
  w.u64(0x1817161514131211);
  EXPECT_EQ(to_hex(out), to_hex(hex("01 0203 040506 0708090a 0b0c0d0e0f10 1112131415161718")));
  EXPECT_EQ(w.size(), 24u);
}

TEST(WireWriter, AppendsToExistingContents) {
  std::vector<std::uint8_t> out{0xaa};
  WireWriter w(out);
  w.u8(0xbb);
  EXPECT_EQ(out, hex("aa bb"));
  EXPECT_EQ(&w.buffer(), &out);
}

struct LenencRow {
  std::string name;
  std::uint64_t value;
  std::string bytes;
};

class LenencIntWrite : public ::testing::TestWithParam<LenencRow> {};

TEST_P(LenencIntWrite, UsesTheShortestForm) {
  std::vector<std::uint8_t> out;
  WireWriter(out).lenenc_int(GetParam().value);
  EXPECT_EQ(to_hex(out), to_hex(hex(GetParam().bytes)));
  WireReader r(out);
  EXPECT_EQ(r.lenenc_int(), GetParam().value);
  EXPECT_FALSE(r.check_finished());
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, LenencIntWrite,
    ::testing::Values(LenencRow{"zero", 0, "00"}, LenencRow{"v250", 250, "fa"}, LenencRow{"v251", 251, "fc fb 00"},
                      LenencRow{"v65535", 0xffff, "fc ff ff"}, LenencRow{"v65536", 0x10000, "fd 00 00 01"},
                      LenencRow{"v16777215", 0xffffff, "fd ff ff ff"},
                      LenencRow{"v16777216", 0x1000000, "fe 00 00 00 01 00 00 00 00"},
                      LenencRow{"max", std::numeric_limits<std::uint64_t>::max(), "fe ff ff ff ff ff ff ff ff"}),
    [](const auto& info) { return info.param.name; });

TEST(WireWriter, Strings) {
  std::vector<std::uint8_t> out;
  WireWriter w(out);
  w.lenenc_str("abc");
  w.lenenc_str("");
  w.nul_str("de");
  w.bytes(std::string_view("f"));
  w.bytes(std::span<const std::uint8_t>(hex("01 02")));
  w.zeros(3);
  EXPECT_EQ(to_hex(out), to_hex(hex("03 616263  00  6465 00  66  01 02  00 00 00")));
}

TEST(WireWriter, LongLenencStringRoundTrips) {
  const std::string big(300, 'x');
  std::vector<std::uint8_t> out;
  WireWriter(out).lenenc_str(big);
  ASSERT_EQ(out.size(), 3u + 300u);
  EXPECT_EQ(out[0], 0xfc);
  WireReader r(out);
  EXPECT_EQ(r.lenenc_str(), big);
  EXPECT_FALSE(r.check_finished());
}

}  // namespace
}  // namespace mysqlproxy::protocol
