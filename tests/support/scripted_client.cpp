#include "tests/support/scripted_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "protocol/auth.hpp"
#include "protocol/command.hpp"
#include "protocol/handshake.hpp"
#include "protocol/ok_err.hpp"
#include "protocol/prepared.hpp"
#include "protocol/wire_reader.hpp"
#include "protocol/wire_writer.hpp"
#include "tests/support/hex.hpp"

namespace mysqlproxy::test {
namespace {

constexpr std::uint8_t kBigIntType = 0x08;  // MYSQL_TYPE_LONGLONG

std::uint16_t final_status(const Bytes& ending, protocol::Capabilities caps) {
  if (caps.has(protocol::kClientDeprecateEof)) {
    auto ok = protocol::decode_ok(ending, caps);
    return ok ? ok->status : 0;
  }
  auto eof = protocol::decode_eof(ending, caps);
  return eof ? eof->status : 0;
}

}  // namespace

Answer ClientAnswer::payloads() const {
  Answer out;
  for (const auto& p : packets) out.push_back(p.payload);
  return out;
}

std::vector<std::uint8_t> ClientAnswer::sequence_ids() const {
  std::vector<std::uint8_t> out;
  for (const auto& p : packets) out.push_back(p.seq);
  return out;
}

std::optional<ClientAnswer::Error> ClientAnswer::error() const {
  if (packets.empty() || packets.back().payload.empty() || packets.back().payload[0] != protocol::kErrHeader) {
    return std::nullopt;
  }
  auto err = protocol::decode_err(packets.back().payload, protocol::Capabilities{protocol::kClientProtocol41});
  if (!err) return std::nullopt;
  return Error{err->code, std::string(err->sql_state), std::string(err->message), packets.back().seq};
}

Bytes stmt_execute_payload(std::uint32_t statement_id, const std::vector<std::int64_t>& params) {
  Bytes out;
  protocol::WireWriter w(out);
  w.u8(static_cast<std::uint8_t>(protocol::Command::kStmtExecute));
  w.u32(statement_id);
  w.u8(protocol::kCursorTypeNoCursor);
  w.u32(1);  // iteration count
  if (params.size() == 0) return out;
  w.zeros((params.size() + 7) / 8);  // NULL bitmap: none is NULL
  w.u8(1);                           // new params bound: the types follow
  for (std::size_t i = 0; i < params.size(); ++i) w.u16(kBigIntType);
  for (std::int64_t v : params) w.u64(static_cast<std::uint64_t>(v));
  return out;
}

proxy::awaitable<bool> ScriptedClient::login(std::string_view user, std::string_view password) {
  auto greeting_packet = co_await read_packet("the proxy's greeting");
  if (!greeting_packet) co_return false;
  auto greeting = protocol::decode_initial_handshake(greeting_packet->payload);
  if (!greeting) {
    ADD_FAILURE() << "client: not a greeting:\n" << to_hex(greeting_packet->payload);
    co_return false;
  }
  caps_ = protocol::Capabilities{kClientCaps}.intersect(greeting->capabilities);
  protocol::HandshakeResponse41 response;
  response.capabilities = protocol::Capabilities{kClientCaps};
  response.max_packet_size = 1u << 24;
  response.character_set = 45;
  response.username = std::string(user);
  const std::string& scramble = greeting->auth_plugin_data;
  const auto nonce = protocol::bytes_of(scramble).first(std::min<std::size_t>(scramble.size(), protocol::kScrambleSize));
  const auto answer = protocol::scramble_native_password(password, nonce);
  response.auth_response.assign(answer.begin(), answer.end());
  response.auth_plugin_name = std::string(protocol::kMysqlNativePassword);
  Bytes payload;
  protocol::encode_handshake_response(response, payload);
  if (co_await write_wire_packet(socket_, payload, static_cast<std::uint8_t>(greeting_packet->seq + 1))) {
    ADD_FAILURE() << "client: the handshake response could not be sent";
    co_return false;
  }
  auto ok = co_await read_packet("the login's OK");
  if (!ok) co_return false;
  if (ok->payload.empty() || ok->payload[0] != protocol::kOkHeader) {
    ADD_FAILURE() << "client: the login was refused:\n" << to_hex(ok->payload);
    co_return false;
  }
  co_return true;
}

proxy::awaitable<ClientAnswer> ScriptedClient::query(std::string_view sql) {
  Bytes payload;
  protocol::encode_com_query(sql, payload);
  const std::string what = "the answer to " + std::string(sql);  // (no temporaries in a co_await call: GCC 12)
  co_return co_await command(payload, Shape::kResult, what);
}

proxy::awaitable<ClientAnswer> ScriptedClient::prepare(std::string_view sql) {
  Bytes payload;
  protocol::encode_com_stmt_prepare(sql, payload);
  const std::string what = "the answer to preparing " + std::string(sql);
  co_return co_await command(payload, Shape::kPrepare, what);
}

proxy::awaitable<ClientAnswer> ScriptedClient::execute(std::uint32_t statement_id,
                                                       const std::vector<std::int64_t>& params) {
  const Bytes payload = stmt_execute_payload(statement_id, params);
  const std::string what = "the answer to executing statement " + std::to_string(statement_id);
  co_return co_await command(payload, Shape::kResult, what);
}

proxy::awaitable<ClientAnswer> ScriptedClient::ping() {
  Bytes payload;
  protocol::encode_simple_command(protocol::Command::kPing, payload);
  const std::string what = "the answer to COM_PING";
  co_return co_await command(payload, Shape::kResult, what);
}

proxy::awaitable<void> ScriptedClient::quit() {
  Bytes payload;
  protocol::encode_simple_command(protocol::Command::kQuit, payload);
  (void)co_await send_command(payload);
}

proxy::awaitable<bool> ScriptedClient::send_command(const Bytes& payload) {
  const proxy::error_code ec = co_await write_wire_packet(socket_, payload, 0);
  co_return !ec;
}

proxy::awaitable<std::optional<WirePacket>> ScriptedClient::read_packet(std::string_view waiting_for) {
  Watchdog watchdog(socket_, kWait);
  proxy::error_code ec;
  auto packet = co_await read_wire_packet(socket_, ec);
  if (watchdog.fired()) {
    ADD_FAILURE() << "client: nothing from the proxy within " << kWait.count() << " ms while waiting for "
                  << waiting_for;
  }
  co_return packet;
}

proxy::awaitable<bool> ScriptedClient::sees_eof() {
  Watchdog watchdog(socket_, kWait);
  std::uint8_t byte = 0;
  auto [ec, n] = co_await socket_.async_read_some(proxy::asio::buffer(&byte, 1), proxy::kUseTuple);
  if (watchdog.fired()) ADD_FAILURE() << "client: the proxy kept the connection open for " << kWait.count() << " ms";
  if (n > 0) ADD_FAILURE() << "client: the proxy sent more where the connection should have ended";
  co_return ec == proxy::asio::error::eof;
}

void ScriptedClient::close() {
  proxy::error_code ignored;
  socket_.close(ignored);
}

proxy::awaitable<ClientAnswer> ScriptedClient::command(const Bytes& payload, Shape shape, const std::string& what) {
  ClientAnswer answer;
  if (!co_await send_command(payload)) {
    ADD_FAILURE() << "client: could not send the command for " << what;
    co_return answer;
  }
  // (no co_await inside ?:, which GCC 12 miscompiles)
  if (shape == Shape::kPrepare) {
    answer.complete = co_await read_prepare(answer, what);
  } else {
    answer.complete = co_await read_result(answer, what);
  }
  co_return answer;
}

proxy::awaitable<bool> ScriptedClient::read_into(ClientAnswer& answer, const std::string& what) {
  auto packet = co_await read_packet(what);
  if (!packet) co_return false;
  answer.packets.push_back(std::move(*packet));
  co_return true;
}

bool ScriptedClient::ends_rows(const Bytes& p) const {
  if (p.empty() || p[0] != protocol::kEofHeader) return false;
  return caps_.has(protocol::kClientDeprecateEof) ? p.size() < 0xffffff : p.size() < 9;
}

// OK, ERR, or result sets (text or binary: their framing is the same), more while the status says so.
proxy::awaitable<bool> ScriptedClient::read_result(ClientAnswer& answer, const std::string& what) {
  const bool deprecate_eof = caps_.has(protocol::kClientDeprecateEof);
  for (;;) {
    if (!co_await read_into(answer, what)) co_return false;
    const Bytes first = answer.packets.back().payload;
    if (first.empty()) co_return false;
    if (first[0] == protocol::kErrHeader) co_return true;
    if (first[0] == protocol::kOkHeader) {
      auto ok = protocol::decode_ok(first, caps_);
      if (ok && (ok->status & protocol::kServerMoreResultsExists) != 0) continue;
      co_return true;
    }
    if (first[0] == protocol::kLocalInfileHeader) {
      ADD_FAILURE() << "client: LOCAL INFILE requests are not scripted";
      co_return false;
    }
    protocol::WireReader reader(first);
    const std::uint64_t columns = reader.lenenc_int();
    for (std::uint64_t i = 0; i < columns + (deprecate_eof ? 0 : 1); ++i) {
      if (!co_await read_into(answer, what)) co_return false;
    }
    bool more = false;
    for (;;) {
      if (!co_await read_into(answer, what)) co_return false;
      const Bytes& row = answer.packets.back().payload;
      if (!row.empty() && row[0] == protocol::kErrHeader) co_return true;
      if (!ends_rows(row)) continue;
      more = (final_status(row, caps_) & protocol::kServerMoreResultsExists) != 0;
      break;
    }
    if (!more) co_return true;
  }
}

proxy::awaitable<bool> ScriptedClient::read_prepare(ClientAnswer& answer, const std::string& what) {
  const bool deprecate_eof = caps_.has(protocol::kClientDeprecateEof);
  if (!co_await read_into(answer, what)) co_return false;
  const Bytes first = answer.packets.back().payload;
  if (!first.empty() && first[0] == protocol::kErrHeader) co_return true;
  auto ok = protocol::decode_stmt_prepare_ok(first, caps_);
  if (!ok) {
    ADD_FAILURE() << "client: not a prepare OK:\n" << to_hex(first);
    co_return false;
  }
  const std::uint16_t groups[] = {ok->num_params, ok->num_columns};  // definitions of each, in this order
  for (const std::uint16_t n : groups) {
    const std::size_t packets = n + (n > 0 && !deprecate_eof ? 1 : 0);
    for (std::size_t i = 0; i < packets; ++i) {
      if (!co_await read_into(answer, what)) co_return false;
    }
  }
  co_return true;
}

}  // namespace mysqlproxy::test
