#pragma once
// COM_STMT_PREPARE_OK: the first packet of a successful prepare reply. The parameter and column
// definitions that follow are ColumnDefinition41 packets (resultset.hpp).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/errors.hpp"

namespace mysqlproxy::protocol {

struct StmtPrepareOk {
  std::uint32_t statement_id = 0;
  std::uint16_t num_columns = 0;
  std::uint16_t num_params = 0;
  std::uint16_t warnings = 0;
  std::optional<std::uint8_t> metadata_follows;  // only with CLIENT_OPTIONAL_RESULTSET_METADATA
  bool operator==(const StmtPrepareOk&) const = default;
};

// The 12-byte form: 0x00, id, columns, params, a reserved 0x00, warnings. The metadata_follows
// byte is read when `caps` has CLIENT_OPTIONAL_RESULTSET_METADATA and the server sent it.
[[nodiscard]] Result<StmtPrepareOk> decode_stmt_prepare_ok(std::span<const std::uint8_t> payload, Capabilities caps);
// Writes metadata_follows only with CLIENT_OPTIONAL_RESULTSET_METADATA and a value.
void encode_stmt_prepare_ok(const StmtPrepareOk& v, Capabilities caps, std::vector<std::uint8_t>& out);

}  // namespace mysqlproxy::protocol
