#include "protocol/wire_reader.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;

TEST(WireReader, FixedIntegersAreLittleEndian) {
  const auto bytes = hex("01  0203  040506  0708090a  0b0c0d0e0f10  1112131415161718");
  WireReader r(bytes);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0302);
  EXPECT_EQ(r.u24(), 0x060504u);
  EXPECT_EQ(r.u32(), 0x0a090807u);
  EXPECT_EQ(r.u48(), 0x100f0e0d0c0bull);
  EXPECT_EQ(r.u64(), 0x1817161514131211ull);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.check_finished());
}

struct LenencRow {
  std::string name;
  std::string bytes;
  std::uint64_t expected;
};

class LenencInt : public ::testing::TestWithParam<LenencRow> {};

TEST_P(LenencInt, Decodes) {
  const auto bytes = hex(GetParam().bytes);
  WireReader r(bytes);
  EXPECT_EQ(r.lenenc_int(), GetParam().expected);
  EXPECT_FALSE(r.check_finished()) << r.check_finished().message();
}

TEST_P(LenencInt, EveryPrefixIsTruncated) {
  const auto bytes = hex(GetParam().bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    WireReader r(std::span<const std::uint8_t>(bytes).first(n));
    EXPECT_EQ(r.lenenc_int(), 0u);
    EXPECT_EQ(r.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Forms, LenencInt,
    ::testing::Values(LenencRow{"zero", "00", 0}, LenencRow{"one_byte_max", "fa", 0xfa},
                      LenencRow{"two_bytes_min", "fc fb 00", 0xfb}, LenencRow{"two_bytes_max", "fc ff ff", 0xffff},
                      LenencRow{"three_bytes_min", "fd 00 00 01", 0x10000},
                      LenencRow{"three_bytes_max", "fd ff ff ff", 0xffffff},
                      LenencRow{"eight_bytes_min", "fe 00 00 00 01 00 00 00 00", 0x1000000},
                      LenencRow{"eight_bytes_max", "fe ff ff ff ff ff ff ff ff",
                                std::numeric_limits<std::uint64_t>::max()}),
    [](const auto& info) { return info.param.name; });

TEST(WireReader, LenencNullMarkerAndFfAreMalformed) {
  for (const char* text : {"fb", "ff", "fb 00"}) {
    const auto bytes = hex(text);
    WireReader r(bytes);
    EXPECT_EQ(r.lenenc_int(), 0u);
    EXPECT_EQ(r.error(), ProtocolErrc::kMalformed) << text;
  }
}

TEST(WireReader, LenencIntSize) {
  EXPECT_EQ(lenenc_int_size(0x00), 1u);
  EXPECT_EQ(lenenc_int_size(0xfa), 1u);
  EXPECT_EQ(lenenc_int_size(0xfb), 0u);
  EXPECT_EQ(lenenc_int_size(0xfc), 3u);
  EXPECT_EQ(lenenc_int_size(0xfd), 4u);
  EXPECT_EQ(lenenc_int_size(0xfe), 9u);
  EXPECT_EQ(lenenc_int_size(0xff), 0u);
}

TEST(WireReader, LenencString) {
  const auto bytes = hex("03 61 62 63 00 fc 02 00 78 79");
  WireReader r(bytes);
  EXPECT_EQ(r.lenenc_str(), "abc");
  EXPECT_EQ(r.lenenc_str(), "");
  EXPECT_EQ(r.lenenc_str(), "xy");
  EXPECT_FALSE(r.check_finished());
}

TEST(WireReader, LenencStringLongerThanDataIsTruncated) {
  const auto bytes = hex("05 61 62");
  WireReader r(bytes);
  EXPECT_EQ(r.lenenc_str(), "");
  EXPECT_EQ(r.error(), ProtocolErrc::kTruncated);
}

TEST(WireReader, HugeLenencLengthIsTruncatedNotOverflowed) {
  const auto bytes = hex("fe ff ff ff ff ff ff ff ff 61");
  WireReader r(bytes);
  EXPECT_EQ(r.lenenc_str(), "");
  EXPECT_EQ(r.error(), ProtocolErrc::kTruncated);
}

TEST(WireReader, NulString) {
  const auto bytes = hex("61 62 00 00 63");
  WireReader r(bytes);
  EXPECT_EQ(r.nul_str(), "ab");
  EXPECT_EQ(r.nul_str(), "");
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_EQ(r.nul_str(), "");  // "c" has no terminator
  EXPECT_EQ(r.error(), ProtocolErrc::kTruncated);
}

TEST(WireReader, NulStringOrRest) {
  const auto bytes = hex("61 00 62 63");
  WireReader r(bytes);
  EXPECT_EQ(r.nul_str_or_rest(), "a");
  EXPECT_EQ(r.nul_str_or_rest(), "bc");
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.nul_str_or_rest(), "");
  EXPECT_FALSE(r.check_finished());
}

TEST(WireReader, BytesRestAndSkip) {
  const auto bytes = hex("01 02 03 04 05");
  WireReader r(bytes);
  EXPECT_EQ(r.bytes(2), std::string_view("\x01\x02", 2));
  r.skip(1);
  EXPECT_EQ(r.position(), 3u);
  EXPECT_EQ(r.peek(), 0x04);
  EXPECT_EQ(r.rest(), std::string_view("\x04\x05", 2));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.peek(), 0);
  EXPECT_EQ(r.rest(), "");
  EXPECT_FALSE(r.check_finished());
}

TEST(WireReader, FirstErrorLatchesAndLaterReadsReturnZero) {
  const auto bytes = hex("01 fb 02 03 04 05");
  WireReader r(bytes);
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.lenenc_int(), 0u);  // 0xfb: kMalformed
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_EQ(r.rest(), "");
  r.fail(ProtocolErrc::kTruncated);  // a later failure does not overwrite the first
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.error(), ProtocolErrc::kMalformed);
  EXPECT_EQ(r.check_finished(), ProtocolErrc::kMalformed);
}

TEST(WireReader, ShortFixedReadIsTruncatedAndConsumesNothing) {
  const auto bytes = hex("01 02 03");
  WireReader r(bytes);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_EQ(r.error(), ProtocolErrc::kTruncated);
  EXPECT_EQ(r.position(), 0u);
}

TEST(WireReader, CheckFinishedReportsLeftovers) {
  const auto bytes = hex("01 02");
  WireReader r(bytes);
  (void)r.u8();
  EXPECT_EQ(r.check_finished(), ProtocolErrc::kExtraBytes);
  (void)r.u8();
  EXPECT_FALSE(r.check_finished());
}

TEST(WireReader, EmptyInput) {
  WireReader r(std::span<const std::uint8_t>{});
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.check_finished());
  EXPECT_EQ(r.nul_str_or_rest(), "");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.error(), ProtocolErrc::kTruncated);
}

TEST(WireReader, ErrorsHaveMessages) {
  const boost::system::error_code ec = ProtocolErrc::kExtraBytes;
  EXPECT_STREQ(ec.category().name(), "mysql-protocol");
  EXPECT_EQ(ec.message(), "unexpected bytes after the end of a packet");
}

TEST(HexHelper, IgnoresWhitespaceAndComments) {
  EXPECT_EQ(hex("0a 35\n2E // comment 99\n\tff"), (std::vector<std::uint8_t>{0x0a, 0x35, 0x2e, 0xff}));
  EXPECT_THROW(hex("0"), std::invalid_argument);
  EXPECT_THROW(hex("zz"), std::invalid_argument);
  EXPECT_EQ(test::to_hex(hex("00 01 ff")), "00 01 ff");
}

}  // namespace
}  // namespace mysqlproxy::protocol
