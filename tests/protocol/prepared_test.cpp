#include "protocol/prepared.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/ok_err.hpp"
#include "protocol/resultset.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::split_frames;
using test::testdata_hex;
using test::to_hex;

constexpr Capabilities kCaps41{kClientProtocol41 | kClientTransactions | kClientSecureConnection};
constexpr Capabilities kCapsMetadata = kCaps41.with(kClientOptionalResultsetMetadata);

struct PrepareOkRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  Capabilities caps;
  StmtPrepareOk expected;
};

class PrepareOk : public ::testing::TestWithParam<PrepareOkRow> {};

TEST_P(PrepareOk, Decodes) {
  auto v = decode_stmt_prepare_ok(GetParam().bytes, GetParam().caps);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, GetParam().expected);
}

TEST_P(PrepareOk, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_stmt_prepare_ok(GetParam().expected, GetParam().caps, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

TEST_P(PrepareOk, PrefixesAreTruncatedAndExtraBytesRejected) {
  const auto& bytes = GetParam().bytes;
  for (std::size_t n = 0; n < 12; ++n) {
    auto v = decode_stmt_prepare_ok(std::span(bytes.data(), n), GetParam().caps);
    ASSERT_FALSE(v) << "prefix " << n;
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
  auto longer = bytes;
  longer.push_back(0x01);
  if (!GetParam().caps.has(kClientOptionalResultsetMetadata)) {
    EXPECT_EQ(decode_stmt_prepare_ok(longer, GetParam().caps).error(), ProtocolErrc::kExtraBytes);
  }
  longer.push_back(0x01);
  EXPECT_EQ(decode_stmt_prepare_ok(longer, GetParam().caps).error(), ProtocolErrc::kExtraBytes);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, PrepareOk,
    ::testing::Values(
        PrepareOkRow{"mariadb_captured", split_frames(testdata_hex("stmt_prepare_reply.hex")).at(0), kCaps41,
                     StmtPrepareOk{1, 2, 2, 0, std::nullopt}},
        PrepareOkRow{"with_warnings", hex("00 ff ff ff ff 00 00 01 00 00 03 00"), kCaps41,
                     StmtPrepareOk{0xffffffff, 0, 1, 3, std::nullopt}},
        PrepareOkRow{"metadata_follows", hex("00 07 00 00 00 01 00 00 00 00 00 00 01"), kCapsMetadata,
                     StmtPrepareOk{7, 1, 0, 0, std::uint8_t{1}}},
        PrepareOkRow{"metadata_flag_but_mariadb_omits_it", hex("00 07 00 00 00 01 00 00 00 00 00 00"), kCapsMetadata,
                     StmtPrepareOk{7, 1, 0, 0, std::nullopt}}),
    [](const auto& info) { return info.param.name; });

TEST(PrepareOk, ErrIsUnexpected) {
  const auto err = make_err_payload(1064, "42000", "syntax");
  EXPECT_EQ(decode_stmt_prepare_ok(err, kCaps41).error(), ProtocolErrc::kUnexpectedPacket);
}

// The whole captured reply: OK, num_params definitions, EOF, num_columns definitions, EOF.
TEST(PrepareReply, CapturedWithEofs) {
  const auto packets = split_frames(testdata_hex("stmt_prepare_reply.hex"));
  auto ok = decode_stmt_prepare_ok(packets.at(0), kCaps41);
  ASSERT_TRUE(ok);
  ASSERT_EQ(packets.size(), 1u + ok->num_params + 1 + ok->num_columns + 1);
  std::size_t i = 1;
  for (std::size_t p = 0; p < ok->num_params; ++p, ++i) {
    auto col = decode_column_definition(packets[i]);
    ASSERT_TRUE(col) << i;
    EXPECT_EQ(col->name, "?");
    EXPECT_EQ(col->type, kTypeNull);  // MariaDB does not infer parameter types
  }
  EXPECT_TRUE(decode_eof(packets[i++], kCaps41));
  std::vector<std::string> names;
  for (std::size_t c = 0; c < ok->num_columns; ++c, ++i) {
    auto col = decode_column_definition(packets[i]);
    ASSERT_TRUE(col) << i;
    names.emplace_back(col->name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name"}));
  EXPECT_TRUE(decode_eof(packets[i], kCaps41));
}

TEST(PrepareReply, CapturedWithDeprecateEof) {
  const auto packets = split_frames(testdata_hex("stmt_prepare_reply_deprecate_eof.hex"));
  const auto caps = kCaps41.with(kClientDeprecateEof);
  auto ok = decode_stmt_prepare_ok(packets.at(0), caps);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->num_params, 2);
  EXPECT_EQ(ok->num_columns, 2);
  // No EOF packets at all under CLIENT_DEPRECATE_EOF.
  ASSERT_EQ(packets.size(), 1u + ok->num_params + ok->num_columns);
  for (std::size_t i = 1; i < packets.size(); ++i) {
    EXPECT_TRUE(decode_column_definition(packets[i])) << i;
    EXPECT_FALSE(is_eof_packet(packets[i], packets[i].size(), caps)) << i;
  }
}

}  // namespace
}  // namespace mysqlproxy::protocol
