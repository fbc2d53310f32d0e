#pragma once
// The MySQL error codes, SQL states and messages the proxy itself sends to clients. Each message
// is the server's own text for that code, word for word: drivers and test suites match on it. What
// only the proxy knows (which backend, which pool, why) goes to the log and the metrics instead.
#include <cstdint>
#include <string>
#include <string_view>

namespace mysqlproxy::proxy {

struct MysqlError {
  std::uint16_t code;
  std::string_view sql_state;
  std::string_view message;  // the server's text; messages with arguments have builders below
};

inline constexpr MysqlError kErrTooManyConnections{1040, "08004", "Too many connections"};
inline constexpr MysqlError kErrHandshake{1043, "08S01", "Bad handshake"};  // ER_HANDSHAKE_ERROR
inline constexpr MysqlError kErrAccessDenied{1045, "28000", ""};           // access_denied_message()
inline constexpr MysqlError kErrUnknownCommand{1047, "08S01", "Unknown command"};
inline constexpr MysqlError kErrHostBlocked{1129, "HY000", ""};  // host_blocked_message()
inline constexpr MysqlError kErrNetPacketTooLarge{1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes"};
inline constexpr MysqlError kErrNetReadTimeout{1159, "08S01", "Got timeout reading communication packets"};
inline constexpr MysqlError kErrUnsupportedAuth{1251, "08004", ""};  // unsupported_auth_message()
// ER_CONNECT_TO_FOREIGN_DATA_SOURCE, naming the backend: a server may not send client (2xxx)
// codes; Connector/C takes them for a malformed packet.
inline constexpr MysqlError kErrBackendTls{1429, "HY000", ""};  // foreign_data_source_message()
inline constexpr MysqlError kErrSecureTransportRequired{
    3159, "HY000", "Connections using insecure transport are prohibited while --require_secure_transport=ON."};
// Server-range codes only: client libraries (Connector/C) turn an ERR carrying a client-range
// code (2000-2999) into "malformed packet", hiding the message.
inline constexpr MysqlError kErrBackendUnreachable{1158, "08S01", "Got an error reading communication packets"};
inline constexpr MysqlError kErrBackendLost{1158, "08S01", "Got an error reading communication packets"};
// timeouts.query: the statement was killed, or its connection closed when the kill did not end it.
inline constexpr MysqlError kErrQueryInterrupted{1317, "70100", "Query execution was interrupted"};
inline constexpr MysqlError kErrProxyInternal{1105, "HY000", "Unknown error"};  // ER_UNKNOWN_ERROR
inline constexpr MysqlError kErrNoBackend{1105, "HY000", "Unknown error"};      // no backend can take it
inline constexpr MysqlError kErrUnknownStatement{1243, "HY000", ""};  // unknown_statement_message()
inline constexpr MysqlError kErrWrongArguments{1210, "HY000", ""};    // ER_WRONG_ARGUMENTS
inline constexpr MysqlError kErrNoOpenCursor{1421, "HY000", ""};      // ER_STMT_HAS_NO_OPEN_CURSOR
inline constexpr MysqlError kErrTooManyStatements{1461, "42000", ""};  // too_many_statements_message()

// Some texts name the server: MariaDB's say "mariadb-admin" and "MariaDB client" where MySQL's say
// "mysqladmin" and "MySQL client". `mariadb`: the proxy presents a MariaDB version.
[[nodiscard]] bool presents_mariadb(std::string_view server_version) noexcept;

// "Access denied for user 'u'@'h' (using password: YES)"
[[nodiscard]] std::string access_denied_message(std::string_view user, std::string_view host, bool used_password);
// "Host 'h' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'"
[[nodiscard]] std::string host_blocked_message(std::string_view host, bool mariadb);
// "Client does not support authentication protocol requested by server; consider upgrading ..."
[[nodiscard]] std::string unsupported_auth_message(bool mariadb);
// "Unable to connect to foreign data source: <name>" (the server cuts the name at 64 bytes)
[[nodiscard]] std::string foreign_data_source_message(std::string_view name);
// "Unknown prepared statement handler (7) given to mysqld_stmt_execute"
[[nodiscard]] std::string unknown_statement_message(std::uint32_t id, std::string_view command);
// "Incorrect arguments to mysqld_stmt_execute"
[[nodiscard]] std::string wrong_arguments_message(std::string_view what);
// "The statement (7) has no open cursor"
[[nodiscard]] std::string no_open_cursor_message(std::uint32_t id);
// "Can't create more than max_prepared_stmt_count statements (current value: 16382)"
[[nodiscard]] std::string too_many_statements_message(std::uint32_t limit);

}  // namespace mysqlproxy::proxy
