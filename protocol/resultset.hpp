#pragma once
// Text-protocol result sets: the column count, Protocol::ColumnDefinition41, and text rows.
// Hot path: strings are views into the payload.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {

// ---- column types (enum_field_types) ----
inline constexpr std::uint8_t kTypeDecimal = 0x00;
inline constexpr std::uint8_t kTypeTiny = 0x01;
inline constexpr std::uint8_t kTypeShort = 0x02;
inline constexpr std::uint8_t kTypeLong = 0x03;
inline constexpr std::uint8_t kTypeFloat = 0x04;
inline constexpr std::uint8_t kTypeDouble = 0x05;
inline constexpr std::uint8_t kTypeNull = 0x06;
inline constexpr std::uint8_t kTypeTimestamp = 0x07;
inline constexpr std::uint8_t kTypeLongLong = 0x08;
inline constexpr std::uint8_t kTypeInt24 = 0x09;
inline constexpr std::uint8_t kTypeDate = 0x0a;
inline constexpr std::uint8_t kTypeTime = 0x0b;
inline constexpr std::uint8_t kTypeDateTime = 0x0c;
inline constexpr std::uint8_t kTypeYear = 0x0d;
inline constexpr std::uint8_t kTypeVarchar = 0x0f;
inline constexpr std::uint8_t kTypeBit = 0x10;
inline constexpr std::uint8_t kTypeJson = 0xf5;
inline constexpr std::uint8_t kTypeNewDecimal = 0xf6;
inline constexpr std::uint8_t kTypeEnum = 0xf7;
inline constexpr std::uint8_t kTypeSet = 0xf8;
inline constexpr std::uint8_t kTypeTinyBlob = 0xf9;
inline constexpr std::uint8_t kTypeMediumBlob = 0xfa;
inline constexpr std::uint8_t kTypeLongBlob = 0xfb;
inline constexpr std::uint8_t kTypeBlob = 0xfc;
inline constexpr std::uint8_t kTypeVarString = 0xfd;
inline constexpr std::uint8_t kTypeString = 0xfe;
inline constexpr std::uint8_t kTypeGeometry = 0xff;

// ---- column flags ----
inline constexpr std::uint16_t kNotNullFlag = 0x0001;
inline constexpr std::uint16_t kPriKeyFlag = 0x0002;
inline constexpr std::uint16_t kUniqueKeyFlag = 0x0004;
inline constexpr std::uint16_t kMultipleKeyFlag = 0x0008;
inline constexpr std::uint16_t kBlobFlag = 0x0010;
inline constexpr std::uint16_t kUnsignedFlag = 0x0020;
inline constexpr std::uint16_t kZerofillFlag = 0x0040;
inline constexpr std::uint16_t kBinaryFlag = 0x0080;
inline constexpr std::uint16_t kEnumFlag = 0x0100;
inline constexpr std::uint16_t kAutoIncrementFlag = 0x0200;
inline constexpr std::uint16_t kTimestampFlag = 0x0400;
inline constexpr std::uint16_t kSetFlag = 0x0800;
inline constexpr std::uint16_t kNoDefaultValueFlag = 0x1000;
inline constexpr std::uint16_t kOnUpdateNowFlag = 0x2000;
inline constexpr std::uint16_t kPartKeyFlag = 0x4000;
inline constexpr std::uint16_t kNumFlag = 0x8000;

inline constexpr std::uint16_t kBinaryCollation = 63;  // character_set of non-text columns
inline constexpr std::uint8_t kNullValue = 0xfb;       // a NULL in a text row

// The first packet of a result set: a lenenc column count, alone in its packet. A first byte of
// 0x00 (OK), 0xff (ERR) or 0xfb (LOCAL INFILE request) is kUnexpectedPacket; a count of 0 (which
// only a longer-than-needed encoding such as fc 00 00 can carry) is kMalformed.
[[nodiscard]] Result<std::uint64_t> decode_column_count(std::span<const std::uint8_t> payload);
void encode_column_count(std::uint64_t count, std::vector<std::uint8_t>& out);

// Whether the MariaDB extended metadata block (MARIADB_CLIENT_EXTENDED_METADATA, negotiated in the
// extended capabilities) sits between org_name and the fixed-length fields. It cannot be detected
// from the packet, so the caller says.
enum class ExtendedMetadata : bool { kNo = false, kYes = true };

struct ColumnDefinition41 {
  std::string_view catalog;  // always "def"
  std::string_view schema;
  std::string_view table;
  std::string_view org_table;
  std::string_view name;
  std::string_view org_name;
  std::uint16_t character_set = 0;
  std::uint32_t column_length = 0;
  std::uint8_t type = 0;
  std::uint16_t flags = 0;
  std::uint8_t decimals = 0;
  // MariaDB extended metadata: entry 0x00 (data type name, e.g. "point") and 0x01 (format, e.g.
  // "json"); unknown entries are skipped. Empty when absent.
  std::string_view extended_type_name;
  std::string_view extended_format;
  // Only in COM_FIELD_LIST replies: the column's default after the filler, lenenc or 0xfb = NULL.
  enum class Default : std::uint8_t { kAbsent, kNull, kValue };
  Default default_kind = Default::kAbsent;
  std::string_view default_value;
  bool operator==(const ColumnDefinition41&) const = default;
};

// Six lenenc strings, [extended metadata], the fixed-length-fields length 0x0c, then character set,
// column length, type, flags, decimals and two filler bytes. Bytes after the filler are read as a
// COM_FIELD_LIST default value. A fixed-fields length other than 0x0c is kMalformed.
[[nodiscard]] Result<ColumnDefinition41> decode_column_definition(std::span<const std::uint8_t> payload,
                                                                  ExtendedMetadata ext = ExtendedMetadata::kNo);
void encode_column_definition(const ColumnDefinition41& col, std::vector<std::uint8_t>& out);
void encode_column_definition(const ColumnDefinition41& col, ExtendedMetadata ext, std::vector<std::uint8_t>& out);

// A text row: one lenenc string per column, 0xfb for NULL. For tests and for result sets the
// proxy answers itself.
void encode_text_row(const std::vector<std::optional<std::string>>& values, std::vector<std::uint8_t>& out);
// Exactly `num_columns` values; views into the payload.
[[nodiscard]] Result<std::vector<std::optional<std::string_view>>> decode_text_row(
    std::span<const std::uint8_t> payload, std::size_t num_columns);

}  // namespace mysqlproxy::protocol
