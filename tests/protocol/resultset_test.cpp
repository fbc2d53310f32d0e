#include "protocol/resultset.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "protocol/ok_err.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::protocol {
namespace {

using test::hex;
using test::split_frames;
using test::testdata_hex;
using test::to_hex;
using Default = ColumnDefinition41::Default;

constexpr Capabilities kCaps41{kClientProtocol41 | kClientTransactions | kClientSecureConnection |
                               kClientSessionTrack};

std::vector<std::uint8_t> packet(const char* file, std::size_t index) {
  return split_frames(testdata_hex(file)).at(index);
}

// ---------------------------------------------------------------- column count

struct CountRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  std::uint64_t expected;
};

class ColumnCount : public ::testing::TestWithParam<CountRow> {};

TEST_P(ColumnCount, RoundTripPrefixesAndExtraBytes) {
  const auto& bytes = GetParam().bytes;
  EXPECT_EQ(decode_column_count(bytes).value(), GetParam().expected);
  std::vector<std::uint8_t> out;
  encode_column_count(GetParam().expected, out);
  EXPECT_EQ(to_hex(out), to_hex(bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_column_count(std::span(bytes.data(), n)).error(), ProtocolErrc::kTruncated) << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_column_count(longer).error(), ProtocolErrc::kExtraBytes);
}

INSTANTIATE_TEST_SUITE_P(Rows, ColumnCount,
                         ::testing::Values(CountRow{"captured", packet("resultset_text.hex", 0), 4},
                                           CountRow{"one", hex("01"), 1}, CountRow{"v250", hex("fa"), 250},
                                           CountRow{"v4096", hex("fc 00 10"), 4096}),
                         [](const auto& info) { return info.param.name; });

TEST(ColumnCount, OtherPacketsAreUnexpected) {
  EXPECT_EQ(decode_column_count(hex("00 00 00 02 00 00 00")).error(), ProtocolErrc::kUnexpectedPacket);
  EXPECT_EQ(decode_column_count(hex("ff 7a 04 23 34 32 53 30 32")).error(), ProtocolErrc::kUnexpectedPacket);
  EXPECT_EQ(decode_column_count(hex("fb 2f 74 6d 70")).error(), ProtocolErrc::kUnexpectedPacket);  // LOCAL INFILE
}

TEST(ColumnCount, ZeroColumnsIsMalformed) {
  // Only a longer-than-needed length encoding can say 0 (a bare 00 is an OK).
  EXPECT_EQ(decode_column_count(hex("fc 00 00")).error(), ProtocolErrc::kMalformed);
  EXPECT_EQ(decode_column_count(hex("fe 00 00 00 00 00 00 00 00")).error(), ProtocolErrc::kMalformed);
}

// ---------------------------------------------------------------- ColumnDefinition41

struct ColumnRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  ExtendedMetadata ext;
  ColumnDefinition41 expected;
};

void PrintColumn(const ColumnDefinition41& c, std::ostream* os) {
  *os << "{" << c.catalog << "." << c.schema << "." << c.table << "(" << c.org_table << ")." << c.name << "("
      << c.org_name << ") cs=" << c.character_set << " len=" << c.column_length << " type=" << int{c.type}
      << " flags=" << c.flags << " dec=" << int{c.decimals} << " ext=" << c.extended_type_name << "/"
      << c.extended_format << " default=" << static_cast<int>(c.default_kind) << ":" << c.default_value << "}";
}

class Column : public ::testing::TestWithParam<ColumnRow> {};

TEST_P(Column, Decodes) {
  auto v = decode_column_definition(GetParam().bytes, GetParam().ext);
  ASSERT_TRUE(v) << v.error().message();
  std::ostringstream got, want;
  PrintColumn(*v, &got);
  PrintColumn(GetParam().expected, &want);
  EXPECT_TRUE(*v == GetParam().expected) << got.str() << "\n" << want.str();
}

TEST_P(Column, EncodesToTheSameBytes) {
  std::vector<std::uint8_t> out;
  encode_column_definition(GetParam().expected, GetParam().ext, out);
  EXPECT_EQ(to_hex(out), to_hex(GetParam().bytes));
}

// Everything up to the filler is required; only a COM_FIELD_LIST default may follow it.
TEST_P(Column, PrefixesAreTruncatedAndExtraBytesRejected) {
  const auto& bytes = GetParam().bytes;
  std::size_t fixed_end = bytes.size();
  if (GetParam().expected.default_kind == Default::kNull) fixed_end -= 1;
  if (GetParam().expected.default_kind == Default::kValue) fixed_end -= 1 + GetParam().expected.default_value.size();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    if (n == fixed_end) continue;  // a complete definition without a default
    auto v = decode_column_definition(std::span(bytes.data(), n), GetParam().ext);
    ASSERT_FALSE(v) << "prefix " << n;
    EXPECT_EQ(v.error(), ProtocolErrc::kTruncated) << "prefix " << n;
  }
  auto longer = bytes;
  longer.insert(longer.end(), {0x00, 0x00});
  EXPECT_EQ(decode_column_definition(longer, GetParam().ext).error(), ProtocolErrc::kExtraBytes);
}

ColumnDefinition41 col(std::string_view schema, std::string_view table, std::string_view org_table,
                       std::string_view name, std::string_view org_name, std::uint16_t charset, std::uint32_t length,
                       std::uint8_t type, std::uint16_t flags, std::uint8_t decimals) {
  ColumnDefinition41 c;
  c.catalog = "def";
  c.schema = schema;
  c.table = table;
  c.org_table = org_table;
  c.name = name;
  c.org_name = org_name;
  c.character_set = charset;
  c.column_length = length;
  c.type = type;
  c.flags = flags;
  c.decimals = decimals;
  return c;
}

constexpr std::uint16_t kUtf8mb4GeneralCi = 45;
constexpr std::uint16_t kIdFlags = kNotNullFlag | kPriKeyFlag | kAutoIncrementFlag | kPartKeyFlag;

ColumnDefinition41 id_col() { return col("capdb", "t", "t", "id", "id", kBinaryCollation, 11, kTypeLong, kIdFlags, 0); }
ColumnDefinition41 name_col() {
  return col("capdb", "t", "t", "name", "name", kUtf8mb4GeneralCi, 128, kTypeVarString, kNotNullFlag, 0);
}
ColumnDefinition41 price_col() {
  return col("capdb", "t", "t", "price", "price", kBinaryCollation, 12, kTypeNewDecimal, 0, 2);
}
ColumnDefinition41 with_default(ColumnDefinition41 c, Default kind, std::string_view value = {}) {
  c.default_kind = kind;
  c.default_value = value;
  return c;
}
ColumnDefinition41 with_ext(ColumnDefinition41 c, std::string_view type_name, std::string_view format) {
  c.extended_type_name = type_name;
  c.extended_format = format;
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Rows, Column,
    ::testing::Values(
        ColumnRow{"int_primary_key", packet("resultset_text.hex", 1), ExtendedMetadata::kNo, id_col()},
        ColumnRow{"varchar_not_null", packet("resultset_text.hex", 2), ExtendedMetadata::kNo, name_col()},
        ColumnRow{"decimal", packet("resultset_text.hex", 3), ExtendedMetadata::kNo, price_col()},
        ColumnRow{"null_literal", packet("resultset_text.hex", 4), ExtendedMetadata::kNo,
                  col("", "", "", "n", "", kBinaryCollation, 0, kTypeNull, kBinaryFlag, 0)},
        ColumnRow{"prepare_parameter", packet("stmt_prepare_reply.hex", 1), ExtendedMetadata::kNo,
                  col("", "", "", "?", "", kBinaryCollation, 0, kTypeNull, kBinaryFlag, 0)},
        ColumnRow{"field_list_default_value", packet("field_list_reply.hex", 0), ExtendedMetadata::kNo,
                  with_default(id_col(), Default::kValue, "0")},
        ColumnRow{"field_list_default_string", packet("field_list_reply.hex", 1), ExtendedMetadata::kNo,
                  with_default(name_col(), Default::kValue, "x")},
        ColumnRow{"field_list_default_null", packet("field_list_reply.hex", 2), ExtendedMetadata::kNo,
                  with_default(price_col(), Default::kNull)},
        ColumnRow{"extended_metadata_empty", packet("resultset_extended_metadata.hex", 1), ExtendedMetadata::kYes,
                  id_col()},
        ColumnRow{"extended_metadata_json_format", packet("resultset_extended_metadata.hex", 2),
                  ExtendedMetadata::kYes,
                  with_ext(col("", "", "", "j", "", kUtf8mb4GeneralCi, 100, kTypeVarString, 0, 39), "", "json")},
        ColumnRow{"extended_metadata_point_type", packet("resultset_extended_metadata.hex", 3),
                  ExtendedMetadata::kYes,
                  with_ext(col("", "", "", "p", "", kBinaryCollation, 0xffffffff, kTypeGeometry, kBinaryFlag, 0),
                           "point", "")}),
    [](const auto& info) { return info.param.name; });

TEST(Column, BadFixedFieldsLengthIsMalformed) {
  auto bytes = packet("resultset_text.hex", 1);
  bytes[bytes.size() - 13] = 0x0b;  // the 0x0c before the fixed fields
  EXPECT_EQ(decode_column_definition(bytes).error(), ProtocolErrc::kMalformed);
}

TEST(Column, ExtendedMetadataMustBeAnnouncedByTheCaller) {
  // Read without the flag, the block length byte (0x00) is taken as the fixed-fields length.
  EXPECT_EQ(decode_column_definition(packet("resultset_extended_metadata.hex", 1)).error(), ProtocolErrc::kMalformed);
  // And a plain definition read with the flag misreads 0x0c as a block length.
  EXPECT_FALSE(decode_column_definition(packet("resultset_text.hex", 1), ExtendedMetadata::kYes));
}

// The JSON and POINT columns of login_extended_metadata.hex: MariaDB names the format of the
// one and the data type of the other.
TEST(Column, ExtendedMetadataOfJsonAndPointCaptured) {
  const auto json_bytes = packet("login_extended_metadata.hex", 5);  // the decoded views point here
  const auto point_bytes = packet("login_extended_metadata.hex", 6);
  auto json = decode_column_definition(json_bytes, ExtendedMetadata::kYes);
  ASSERT_TRUE(json) << json.error().message();
  EXPECT_EQ(json->name, "j");
  EXPECT_EQ(json->extended_format, "json");
  EXPECT_EQ(json->extended_type_name, "");
  auto point = decode_column_definition(point_bytes, ExtendedMetadata::kYes);
  ASSERT_TRUE(point) << point.error().message();
  EXPECT_EQ(point->name, "p");
  EXPECT_EQ(point->extended_type_name, "point");
  EXPECT_EQ(point->extended_format, "");
  // Read without the block, the same bytes are garbage: why the pool keeps the two apart.
  EXPECT_FALSE(decode_column_definition(json_bytes));
}

TEST(Column, ExtendedMetadataEntryOverrunningItsBlockIsMalformed) {
  auto bytes = packet("resultset_extended_metadata.hex", 2);
  // "06 01 04 json" -> "06 01 05 json": the entry now claims one byte past its block.
  const std::uint8_t needle[] = {0x06, 0x01, 0x04};
  const auto at = std::search(bytes.begin(), bytes.end(), std::begin(needle), std::end(needle));
  ASSERT_NE(at, bytes.end());
  at[2] = 0x05;
  EXPECT_EQ(decode_column_definition(bytes, ExtendedMetadata::kYes).error(), ProtocolErrc::kMalformed);
}

TEST(Column, EncodeWithoutExtendedMetadataDropsIt) {
  std::vector<std::uint8_t> out;
  encode_column_definition(with_ext(id_col(), "point", "json"), out);
  EXPECT_EQ(to_hex(out), to_hex(packet("resultset_text.hex", 1)));
}

// ---------------------------------------------------------------- text rows

struct RowRow {
  std::string name;
  std::vector<std::uint8_t> bytes;
  std::vector<std::optional<std::string>> expected;
};

class TextRow : public ::testing::TestWithParam<RowRow> {};

std::vector<std::optional<std::string>> owned(const std::vector<std::optional<std::string_view>>& views) {
  std::vector<std::optional<std::string>> out;
  for (const auto& v : views) out.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
  return out;
}

TEST_P(TextRow, DecodesEncodesAndChecksLength) {
  const auto& bytes = GetParam().bytes;
  const std::size_t columns = GetParam().expected.size();
  auto v = decode_text_row(bytes, columns);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(owned(*v), GetParam().expected);
  std::vector<std::uint8_t> out;
  encode_text_row(GetParam().expected, out);
  EXPECT_EQ(to_hex(out), to_hex(bytes));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(decode_text_row(std::span(bytes.data(), n), columns).error(), ProtocolErrc::kTruncated) << n;
  }
  EXPECT_EQ(decode_text_row(bytes, columns - 1).error(), ProtocolErrc::kExtraBytes);
  EXPECT_EQ(decode_text_row(bytes, columns + 1).error(), ProtocolErrc::kTruncated);
  EXPECT_FALSE(is_eof_packet(bytes, bytes.size(), kCaps41));
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TextRow,
    ::testing::Values(
        RowRow{"captured_with_null", packet("resultset_text.hex", 6), {"1", "a", "1.50", std::nullopt}},
        RowRow{"captured_binary_geometry", packet("resultset_extended_metadata.hex", 4),
               {"1", "{\"a\": 1}",
                std::string("\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"
                            "\x00\x00\x00\x00\x00\x00\x00\x40",
                            25)}},
        RowRow{"empty_string_and_nulls", hex("00 fb fb"), {"", std::nullopt, std::nullopt}},
        RowRow{"value_of_251_bytes", [] {
                 auto b = hex("fc fb 00");
                 b.insert(b.end(), 251, 'z');
                 return b;
               }(),
               {std::string(251, 'z')}}),
    [](const auto& info) { return info.param.name; });

// The whole captured text result set, walked the way the proxy's response tracker will.
TEST(TextResultset, CapturedWithEofs) {
  const auto packets = split_frames(testdata_hex("resultset_text.hex"));
  auto count = decode_column_count(packets.at(0));
  ASSERT_TRUE(count);
  std::size_t i = 1;
  std::vector<std::string> names;
  for (std::uint64_t c = 0; c < *count; ++c, ++i) names.emplace_back(decode_column_definition(packets.at(i))->name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "name", "price", "n"}));
  ASSERT_TRUE(is_eof_packet(packets.at(i), packets[i].size(), kCaps41));
  ++i;
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (; !is_eof_packet(packets.at(i), packets[i].size(), kCaps41); ++i) {
    rows.push_back(owned(decode_text_row(packets[i], *count).value()));
  }
  EXPECT_EQ(rows, (std::vector<std::vector<std::optional<std::string>>>{{"1", "a", "1.50", std::nullopt},
                                                                        {"2", "b", "2.25", std::nullopt}}));
  auto eof = decode_eof(packets.at(i), kCaps41);
  ASSERT_TRUE(eof);
  EXPECT_EQ(eof->status, kServerStatusAutocommit | kServerQueryNoIndexUsed);
  EXPECT_EQ(i + 1, packets.size());
}

TEST(TextResultset, CapturedWithDeprecateEof) {
  const auto caps = kCaps41.with(kClientDeprecateEof);
  const auto packets = split_frames(testdata_hex("resultset_text_deprecate_eof.hex"));
  auto count = decode_column_count(packets.at(0));
  ASSERT_TRUE(count);
  std::size_t i = 1 + *count;  // no EOF after the definitions
  std::size_t rows = 0;
  for (; !is_eof_packet(packets.at(i), packets[i].size(), caps); ++i, ++rows) {
    EXPECT_TRUE(decode_text_row(packets[i], *count));
  }
  EXPECT_EQ(rows, 2u);
  auto ok = decode_ok(packets.at(i), caps);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->header, 0xfe);
  EXPECT_EQ(i + 1, packets.size());
}

TEST(Statistics, CapturedReplyIsABareString) {
  // COM_STATISTICS is answered by a string with no header byte: not an OK, not a result set.
  const auto payload = split_frames(testdata_hex("statistics_reply.hex")).at(0);
  const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  EXPECT_TRUE(text.starts_with("Uptime: "));
  EXPECT_NE(text.find("Queries per second avg: "), std::string_view::npos);
  EXPECT_EQ(decode_ok(payload, kCaps41).error(), ProtocolErrc::kUnexpectedPacket);
}

}  // namespace
}  // namespace mysqlproxy::protocol
