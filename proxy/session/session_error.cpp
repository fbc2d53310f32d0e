#include "proxy/session/session_error.hpp"

#include "protocol/ok_err.hpp"

namespace mysqlproxy::proxy {

SessionError SessionError::of(const MysqlError& e, std::optional<ErrorKind> counted, AfterError after) {
  SessionError s;
  s.code = e.code;
  s.sql_state = e.sql_state;
  s.message = e.message;
  s.counted = counted;
  s.after = after;
  return s;
}

SessionError SessionError::of(const MysqlError& e, std::string message, std::optional<ErrorKind> counted) {
  SessionError s = of(e, counted);
  s.message = std::move(message);
  return s;
}

SessionError SessionError::relayed(std::vector<std::uint8_t> packet) {
  SessionError s;
  s.server_packet = std::move(packet);
  return s;
}

SessionError SessionError::before_greeting(std::uint16_t code, std::string message) {
  SessionError s;
  s.code = code;
  s.message = std::move(message);
  s.protocol41 = false;
  return s;
}

std::vector<std::uint8_t> session_error_payload(const SessionError& e) {
  if (!e.server_packet.empty()) return e.server_packet;
  if (e.protocol41) return protocol::make_err_payload(e.code, e.sql_state, e.message);
  std::vector<std::uint8_t> payload;
  // Without CLIENT_PROTOCOL_41 the encoder leaves out the '#' and the SQLSTATE.
  protocol::encode_err({e.code, "HY000", e.message}, protocol::Capabilities{}, payload);
  return payload;
}

awaitable<error_code> send_session_error(PacketStream& client, const SessionError& e, std::uint8_t seq,
                                         const SessionLog& log) {
  if (!e.log.empty()) {
    if (e.log_as_warning) {
      log.warn("{}", e.log);
    } else {
      log.info("{}", e.log);
    }
  }
  if (e.after == AfterError::kClose) co_return error_code{};
  const auto payload = session_error_payload(e);
  co_return co_await client.write_packet(payload, seq);
}

}  // namespace mysqlproxy::proxy
