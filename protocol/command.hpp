#pragma once
// Client commands (the command phase): COM_QUERY, COM_INIT_DB, COM_CHANGE_USER, the COM_STMT_*
// family, COM_SET_OPTION, COM_FIELD_LIST and the one-byte commands.
// Every decoder checks the command byte: another command is kUnexpectedPacket.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/capabilities.hpp"
#include "protocol/constants.hpp"
#include "protocol/errors.hpp"
#include "protocol/handshake.hpp"

namespace mysqlproxy::protocol {

// The first byte; an empty payload maps to kSleep, which no client may send (the proxy rejects it).
[[nodiscard]] Command command_of(std::span<const std::uint8_t> payload) noexcept;
// A COM_STMT_EXECUTE whose flags ask for a cursor (read-only, for update or scrollable).
[[nodiscard]] bool requests_cursor(std::span<const std::uint8_t> payload) noexcept;

// COM_QUERY: the SQL text is the rest of the packet. We never advertise CLIENT_QUERY_ATTRIBUTES,
// so there is no parameter block in front of it.
void encode_com_query(std::string_view sql, std::vector<std::uint8_t>& out);
[[nodiscard]] Result<std::string_view> decode_com_query(std::span<const std::uint8_t> payload);

// COM_INIT_DB: the schema name is the rest of the packet.
void encode_com_init_db(std::string_view schema, std::vector<std::uint8_t>& out);
[[nodiscard]] Result<std::string_view> decode_com_init_db(std::span<const std::uint8_t> payload);

// Commands without arguments: kPing, kQuit, kStatistics, kResetConnection, kDebug, ...
void encode_simple_command(Command command, std::vector<std::uint8_t>& out);

// COM_CHANGE_USER. Owns its strings: the proxy keeps them to replay on backends.
struct ComChangeUser {
  std::string username;
  std::string auth_response;
  std::string database;
  std::uint16_t character_set = 0;  // 0 when an old client stopped before it
  std::string auth_plugin_name;
  ConnectAttributes attributes;
  bool operator==(const ComChangeUser&) const = default;
};

// `caps` are the client's. The auth response has a 1-byte length with CLIENT_SECURE_CONNECTION,
// else it is NUL-terminated. Old clients stop after the database: the character set, the plugin
// name (CLIENT_PLUGIN_AUTH) and the attributes (CLIENT_CONNECT_ATTRS) are read only if present.
[[nodiscard]] Result<ComChangeUser> decode_com_change_user(std::span<const std::uint8_t> payload, Capabilities caps);
// Always writes the character set; the plugin name and attributes as `caps` announce them.
void encode_com_change_user(const ComChangeUser& v, Capabilities caps, std::vector<std::uint8_t>& out);

// ---- prepared statements ----

// Bytes 1..4 of COM_STMT_EXECUTE / SEND_LONG_DATA / CLOSE / RESET / FETCH.
[[nodiscard]] Result<std::uint32_t> decode_statement_id(std::span<const std::uint8_t> payload);
// Overwrites bytes 1..4 in place (the proxy maps client statement ids to backend ones).
// Precondition: payload.size() >= 5.
void rewrite_statement_id(std::span<std::uint8_t> payload, std::uint32_t id) noexcept;

struct ComStmtExecuteHeader {
  std::uint32_t statement_id = 0;
  std::uint8_t flags = 0;            // cursor type (kCursorType*)
  std::uint32_t iteration_count = 0;  // always 1 from MySQL clients
  bool operator==(const ComStmtExecuteHeader&) const = default;
};

// The fixed 10-byte head; the parameter block after it is left alone (it needs the param count).
[[nodiscard]] Result<ComStmtExecuteHeader> decode_com_stmt_execute_header(std::span<const std::uint8_t> payload);

struct ComStmtFetch {
  std::uint32_t statement_id = 0;
  std::uint32_t num_rows = 0;
  bool operator==(const ComStmtFetch&) const = default;
};

[[nodiscard]] Result<ComStmtFetch> decode_com_stmt_fetch(std::span<const std::uint8_t> payload);
void encode_com_stmt_fetch(const ComStmtFetch& v, std::vector<std::uint8_t>& out);

// COM_STMT_PREPARE: the SQL text is the rest of the packet.
void encode_com_stmt_prepare(std::string_view sql, std::vector<std::uint8_t>& out);
[[nodiscard]] Result<std::string_view> decode_com_stmt_prepare(std::span<const std::uint8_t> payload);
void encode_com_stmt_close(std::uint32_t statement_id, std::vector<std::uint8_t>& out);
void encode_com_stmt_reset(std::uint32_t statement_id, std::vector<std::uint8_t>& out);

// ---- others ----

// COM_SET_OPTION: kMysqlOptionMultiStatementsOn / Off.
[[nodiscard]] Result<std::uint16_t> decode_com_set_option(std::span<const std::uint8_t> payload);
void encode_com_set_option(std::uint16_t option, std::vector<std::uint8_t>& out);

// COM_FIELD_LIST: NUL-terminated table, then a wildcard to the end of the packet.
struct ComFieldList {
  std::string_view table;
  std::string_view wildcard;
  bool operator==(const ComFieldList&) const = default;
};

[[nodiscard]] Result<ComFieldList> decode_com_field_list(std::span<const std::uint8_t> payload);
void encode_com_field_list(const ComFieldList& v, std::vector<std::uint8_t>& out);

}  // namespace mysqlproxy::protocol
