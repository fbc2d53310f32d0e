// Fuzz target: text result sets from a backend: the column count, column definitions (with and
// without MariaDB extended metadata, with COM_FIELD_LIST defaults) and text rows.
//
// Input: [flags][column count for the row][payload...]; flags bit 0: extended metadata negotiated.
// Invariants: decode . encode . decode = decode for the column count, the column definition and the
// text row, and encoding is then stable; a decoded count is never 0 (no result set has no
// columns); a row has exactly the columns asked for; every string lies inside the payload.
#include <optional>
#include <string>

#include "protocol/resultset.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace mysqlproxy::protocol;
using mysqlproxy::fuzz::Bytes;
using mysqlproxy::fuzz::inside;

namespace {

void column_definition(std::span<const std::uint8_t> payload, ExtendedMetadata ext) {
  auto col = decode_column_definition(payload, ext);
  if (!col) return;
  for (std::string_view s : {col->catalog, col->schema, col->table, col->org_table, col->name, col->org_name,
                             col->extended_type_name, col->extended_format, col->default_value}) {
    FUZZ_CHECK(inside(s, payload));
  }
  FUZZ_CHECK(col->default_kind == ColumnDefinition41::Default::kValue || col->default_value.empty());
  Bytes once;
  encode_column_definition(*col, ext, once);
  auto again = decode_column_definition(once, ext);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *col);
  Bytes twice;
  encode_column_definition(*again, ext, twice);
  FUZZ_CHECK(twice == once);
}

void text_row(std::span<const std::uint8_t> payload, std::size_t num_columns) {
  auto row = decode_text_row(payload, num_columns);
  if (!row) return;
  FUZZ_CHECK(row->size() == num_columns);
  std::vector<std::optional<std::string>> owned;
  for (const auto& v : *row) {
    if (v) {
      FUZZ_CHECK(inside(*v, payload));
      owned.emplace_back(std::string(*v));
    } else {
      owned.emplace_back(std::nullopt);
    }
  }
  Bytes once;
  encode_text_row(owned, once);
  auto again = decode_text_row(once, num_columns);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->size() == num_columns);
  for (std::size_t i = 0; i < num_columns; ++i) {
    FUZZ_CHECK((*again)[i].has_value() == owned[i].has_value());
    if (owned[i]) FUZZ_CHECK(*(*again)[i] == *owned[i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mysqlproxy::fuzz::Input in(data, size);
  const std::uint8_t flags = in.u8();
  const std::size_t num_columns = in.u8();
  const auto payload = in.rest();

  if (auto count = decode_column_count(payload)) {
    FUZZ_CHECK(*count > 0);
    Bytes once;
    encode_column_count(*count, once);
    auto again = decode_column_count(once);
    FUZZ_CHECK(again.has_value() && *again == *count);
  }
  column_definition(payload, (flags & 1) ? ExtendedMetadata::kYes : ExtendedMetadata::kNo);
  text_row(payload, num_columns);
  return 0;
}
