#pragma once
// The MySQL error codes and SQL states the proxy itself sends to clients.
#include <cstdint>
#include <string_view>

namespace mysqlproxy::proxy {

struct MysqlError {
  std::uint16_t code;
  std::string_view sql_state;
};

inline constexpr MysqlError kErrTooManyConnections{1040, "08004"};
inline constexpr MysqlError kErrHandshake{1043, "08S01"};          // ER_HANDSHAKE_ERROR
inline constexpr MysqlError kErrAccessDenied{1045, "28000"};
inline constexpr MysqlError kErrUnknownCommand{1047, "08S01"};
inline constexpr MysqlError kErrHostBlocked{1129, "HY000"};         // ER_HOST_IS_BLOCKED
inline constexpr MysqlError kErrNetPacketTooLarge{1153, "08S01"};
inline constexpr MysqlError kErrNetReadTimeout{1159, "08S01"};      // ER_NET_READ_INTERRUPTED
inline constexpr MysqlError kErrUnsupportedAuth{1251, "08004"};     // ER_NOT_SUPPORTED_AUTH_MODE
// ER_CONNECT_TO_FOREIGN_DATA_SOURCE: a server may not send client (2xxx) codes; Connector/C takes
// them for a malformed packet.
inline constexpr MysqlError kErrBackendTls{1429, "HY000"};
inline constexpr MysqlError kErrSecureTransportRequired{3159, "HY000"};  // ER_SECURE_TRANSPORT_REQUIRED
// Server-range codes only: client libraries (Connector/C) turn an ERR carrying a client-range
// code (2000-2999) into "malformed packet", hiding the message.
inline constexpr MysqlError kErrBackendUnreachable{1158, "08S01"};  // ER_NET_READ_ERROR
inline constexpr MysqlError kErrBackendLost{1158, "08S01"};         // ER_NET_READ_ERROR
// timeouts.query: the statement was killed, or its connection closed when the kill did not end it.
inline constexpr MysqlError kErrQueryInterrupted{1317, "70100"};  // ER_QUERY_INTERRUPTED
inline constexpr MysqlError kErrProxyInternal{1105, "HY000"};       // ER_UNKNOWN_ERROR
inline constexpr MysqlError kErrNoBackend{1105, "HY000"};           // no backend can take the command
inline constexpr MysqlError kErrUnknownStatement{1243, "HY000"};    // ER_UNKNOWN_STMT_HANDLER

}  // namespace mysqlproxy::proxy
