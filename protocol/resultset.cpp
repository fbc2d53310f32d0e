#include "protocol/resultset.hpp"

#include <algorithm>

#include "protocol/constants.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {
namespace {

constexpr std::uint64_t kFixedFieldsLength = 0x0c;
constexpr std::uint8_t kExtendedTypeName = 0x00;
constexpr std::uint8_t kExtendedFormat = 0x01;

void read_extended_metadata(WireReader& r, ColumnDefinition41& col) {
  const std::string_view block = r.lenenc_str();
  if (!r.ok()) return;
  WireReader e({reinterpret_cast<const std::uint8_t*>(block.data()), block.size()});
  while (!e.empty()) {
    const std::uint8_t kind = e.u8();
    const std::string_view value = e.lenenc_str();
    if (!e.ok()) {
      r.fail(ProtocolErrc::kMalformed);  // the block length disagrees with its entries
      return;
    }
    if (kind == kExtendedTypeName) col.extended_type_name = value;
    if (kind == kExtendedFormat) col.extended_format = value;
  }
}

void write_extended_metadata(const ColumnDefinition41& col, WireWriter& w) {
  std::vector<std::uint8_t> block;
  WireWriter b(block);
  if (!col.extended_type_name.empty()) {
    b.u8(kExtendedTypeName);
    b.lenenc_str(col.extended_type_name);
  }
  if (!col.extended_format.empty()) {
    b.u8(kExtendedFormat);
    b.lenenc_str(col.extended_format);
  }
  w.lenenc_int(block.size());
  w.bytes(block);
}

}  // namespace

Result<std::uint64_t> decode_column_count(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  switch (r.peek()) {
    case kOkHeader:
    case kErrHeader:
    case kLocalInfileHeader:
      if (!r.empty()) return ProtocolErrc::kUnexpectedPacket;
      break;
    default: break;
  }
  const std::uint64_t count = r.lenenc_int();
  if (auto ec = r.check_finished()) return ec;
  if (count == 0) return ProtocolErrc::kMalformed;  // a result set has at least one column
  return count;
}

void encode_column_count(std::uint64_t count, std::vector<std::uint8_t>& out) {
  WireWriter(out).lenenc_int(count);
}

Result<ColumnDefinition41> decode_column_definition(std::span<const std::uint8_t> payload, ExtendedMetadata ext) {
  WireReader r(payload);
  ColumnDefinition41 col;
  col.catalog = r.lenenc_str();
  col.schema = r.lenenc_str();
  col.table = r.lenenc_str();
  col.org_table = r.lenenc_str();
  col.name = r.lenenc_str();
  col.org_name = r.lenenc_str();
  if (ext == ExtendedMetadata::kYes) read_extended_metadata(r, col);
  const std::uint64_t fixed_length = r.lenenc_int();
  if (r.ok() && fixed_length != kFixedFieldsLength) return ProtocolErrc::kMalformed;
  col.character_set = r.u16();
  col.column_length = r.u32();
  col.type = r.u8();
  col.flags = r.u16();
  col.decimals = r.u8();
  r.skip(2);  // filler
  if (r.ok() && !r.empty()) {
    if (r.peek() == kNullValue) {
      r.skip(1);
      col.default_kind = ColumnDefinition41::Default::kNull;
    } else {
      col.default_value = r.lenenc_str();
      col.default_kind = ColumnDefinition41::Default::kValue;
    }
  }
  if (auto ec = r.check_finished()) return ec;
  return col;
}

void encode_column_definition(const ColumnDefinition41& col, std::vector<std::uint8_t>& out) {
  encode_column_definition(col, ExtendedMetadata::kNo, out);
}

void encode_column_definition(const ColumnDefinition41& col, ExtendedMetadata ext, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.lenenc_str(col.catalog);
  w.lenenc_str(col.schema);
  w.lenenc_str(col.table);
  w.lenenc_str(col.org_table);
  w.lenenc_str(col.name);
  w.lenenc_str(col.org_name);
  if (ext == ExtendedMetadata::kYes) write_extended_metadata(col, w);
  w.lenenc_int(kFixedFieldsLength);
  w.u16(col.character_set);
  w.u32(col.column_length);
  w.u8(col.type);
  w.u16(col.flags);
  w.u8(col.decimals);
  w.zeros(2);
  switch (col.default_kind) {
    case ColumnDefinition41::Default::kAbsent: break;
    case ColumnDefinition41::Default::kNull: w.u8(kNullValue); break;
    case ColumnDefinition41::Default::kValue: w.lenenc_str(col.default_value); break;
  }
}

void encode_text_row(const std::vector<std::optional<std::string>>& values, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  for (const auto& v : values) {
    if (v) {
      w.lenenc_str(*v);
    } else {
      w.u8(kNullValue);
    }
  }
}

Result<std::vector<std::optional<std::string_view>>> decode_text_row(std::span<const std::uint8_t> payload,
                                                                     std::size_t num_columns) {
  WireReader r(payload);
  std::vector<std::optional<std::string_view>> values;
  values.reserve(std::min(num_columns, payload.size()));  // the count is the caller's, the size is real
  for (std::size_t i = 0; i < num_columns && r.ok(); ++i) {
    if (!r.empty() && r.peek() == kNullValue) {
      r.skip(1);
      values.emplace_back(std::nullopt);
    } else {
      values.emplace_back(r.lenenc_str());
    }
  }
  if (auto ec = r.check_finished()) return ec;
  return values;
}

}  // namespace mysqlproxy::protocol
