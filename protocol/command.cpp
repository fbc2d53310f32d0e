#include "protocol/command.hpp"

#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"

namespace mysqlproxy::protocol {
namespace {

constexpr std::size_t kStatementIdEnd = 5;  // command byte + 4-byte id

// Reads the command byte and checks it; the error to return, if any.
boost::system::error_code expect_command(WireReader& r, Command command) {
  const std::uint8_t first = r.u8();
  if (!r.ok()) return r.error();
  if (first != static_cast<std::uint8_t>(command)) return ProtocolErrc::kUnexpectedPacket;
  return {};
}

Result<std::string_view> decode_text_command(std::span<const std::uint8_t> payload, Command command) {
  WireReader r(payload);
  if (auto ec = expect_command(r, command)) return ec;
  return r.rest();
}

void encode_text_command(Command command, std::string_view text, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(command));
  w.bytes(text);
}

void encode_id_command(Command command, std::uint32_t id, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(command));
  w.u32(id);
}

}  // namespace

Command command_of(std::span<const std::uint8_t> payload) noexcept {
  return payload.empty() ? Command::kSleep : static_cast<Command>(payload[0]);
}

bool requests_cursor(std::span<const std::uint8_t> payload) noexcept {
  constexpr std::size_t kFlagsAt = 5;  // command byte, 4-byte statement id
  return command_of(payload) == Command::kStmtExecute && payload.size() > kFlagsAt &&
         (payload[kFlagsAt] & (kCursorTypeReadOnly | kCursorTypeForUpdate | kCursorTypeScrollable)) != 0;
}

void encode_com_query(std::string_view sql, std::vector<std::uint8_t>& out) {
  encode_text_command(Command::kQuery, sql, out);
}

Result<std::string_view> decode_com_query(std::span<const std::uint8_t> payload) {
  return decode_text_command(payload, Command::kQuery);
}

void encode_com_init_db(std::string_view schema, std::vector<std::uint8_t>& out) {
  encode_text_command(Command::kInitDb, schema, out);
}

Result<std::string_view> decode_com_init_db(std::span<const std::uint8_t> payload) {
  return decode_text_command(payload, Command::kInitDb);
}

void encode_simple_command(Command command, std::vector<std::uint8_t>& out) {
  out.push_back(static_cast<std::uint8_t>(command));
}

Result<ComChangeUser> decode_com_change_user(std::span<const std::uint8_t> payload, Capabilities caps) {
  WireReader r(payload);
  if (auto ec = expect_command(r, Command::kChangeUser)) return ec;
  ComChangeUser v;
  v.username = r.nul_str();
  v.auth_response = caps.has(kClientSecureConnection) ? r.bytes(r.u8()) : r.nul_str();
  // Tolerated like the server does: a database, or what follows it, missing at the very end.
  if (!r.empty()) v.database = r.nul_str_or_rest();
  if (!r.empty()) v.character_set = r.u16();
  if (caps.has(kClientPluginAuth) && !r.empty()) v.auth_plugin_name = r.nul_str_or_rest();
  if (caps.has(kClientConnectAttrs) && !r.empty()) read_connect_attributes(r, v.attributes);
  if (auto ec = r.check_finished()) return ec;
  return v;
}

void encode_com_change_user(const ComChangeUser& v, Capabilities caps, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(Command::kChangeUser));
  w.nul_str(v.username);
  if (caps.has(kClientSecureConnection)) {
    const std::string_view auth = std::string_view(v.auth_response).substr(0, 0xff);
    w.u8(static_cast<std::uint8_t>(auth.size()));
    w.bytes(auth);
  } else {
    w.nul_str(v.auth_response);
  }
  w.nul_str(v.database);
  w.u16(v.character_set);
  if (caps.has(kClientPluginAuth)) w.nul_str(v.auth_plugin_name);
  if (caps.has(kClientConnectAttrs)) write_connect_attributes(v.attributes, w);
}

Result<std::uint32_t> decode_statement_id(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  switch (static_cast<Command>(r.u8())) {
    case Command::kStmtExecute:
    case Command::kStmtSendLongData:
    case Command::kStmtClose:
    case Command::kStmtReset:
    case Command::kStmtFetch: break;
    default: return r.ok() ? ProtocolErrc::kUnexpectedPacket : ProtocolErrc::kTruncated;
  }
  const std::uint32_t id = r.u32();
  if (!r.ok()) return r.error();
  return id;
}

void rewrite_statement_id(std::span<std::uint8_t> payload, std::uint32_t id) noexcept {
  if (payload.size() < kStatementIdEnd) return;
  for (std::size_t i = 0; i < 4; ++i) payload[1 + i] = static_cast<std::uint8_t>(id >> (8 * i));
}

Result<ComStmtExecuteHeader> decode_com_stmt_execute_header(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  if (auto ec = expect_command(r, Command::kStmtExecute)) return ec;
  ComStmtExecuteHeader v;
  v.statement_id = r.u32();
  v.flags = r.u8();
  v.iteration_count = r.u32();
  if (!r.ok()) return r.error();
  return v;
}

Result<ComStmtFetch> decode_com_stmt_fetch(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  if (auto ec = expect_command(r, Command::kStmtFetch)) return ec;
  ComStmtFetch v;
  v.statement_id = r.u32();
  v.num_rows = r.u32();
  if (auto ec = r.check_finished()) return ec;
  return v;
}

void encode_com_stmt_fetch(const ComStmtFetch& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(Command::kStmtFetch));
  w.u32(v.statement_id);
  w.u32(v.num_rows);
}

void encode_com_stmt_prepare(std::string_view sql, std::vector<std::uint8_t>& out) {
  encode_text_command(Command::kStmtPrepare, sql, out);
}

Result<std::string_view> decode_com_stmt_prepare(std::span<const std::uint8_t> payload) {
  return decode_text_command(payload, Command::kStmtPrepare);
}

void encode_com_stmt_close(std::uint32_t statement_id, std::vector<std::uint8_t>& out) {
  encode_id_command(Command::kStmtClose, statement_id, out);
}

void encode_com_stmt_reset(std::uint32_t statement_id, std::vector<std::uint8_t>& out) {
  encode_id_command(Command::kStmtReset, statement_id, out);
}

Result<std::uint16_t> decode_com_set_option(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  if (auto ec = expect_command(r, Command::kSetOption)) return ec;
  const std::uint16_t option = r.u16();
  if (auto ec = r.check_finished()) return ec;
  return option;
}

void encode_com_set_option(std::uint16_t option, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(Command::kSetOption));
  w.u16(option);
}

Result<ComFieldList> decode_com_field_list(std::span<const std::uint8_t> payload) {
  WireReader r(payload);
  if (auto ec = expect_command(r, Command::kFieldList)) return ec;
  ComFieldList v;
  v.table = r.nul_str();
  v.wildcard = r.rest();
  if (!r.ok()) return r.error();
  return v;
}

void encode_com_field_list(const ComFieldList& v, std::vector<std::uint8_t>& out) {
  WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(Command::kFieldList));
  w.nul_str(v.table);
  w.bytes(v.wildcard);
}

}  // namespace mysqlproxy::protocol
