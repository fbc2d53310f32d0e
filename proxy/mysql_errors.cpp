#include "proxy/mysql_errors.hpp"

namespace mysqlproxy::proxy {

bool presents_mariadb(std::string_view server_version) noexcept {
  return server_version.find("MariaDB") != std::string_view::npos;
}

std::string access_denied_message(std::string_view user, std::string_view host, bool used_password) {
  std::string msg = "Access denied for user '";
  msg.append(user).append("'@'").append(host).append("' (using password: ");
  msg.append(used_password ? "YES)" : "NO)");
  return msg;
}

std::string host_blocked_message(std::string_view host, bool mariadb) {
  return "Host '" + std::string(host.substr(0, 64)) + "' is blocked because of many connection errors; unblock with '" +
         (mariadb ? "mariadb-admin" : "mysqladmin") + " flush-hosts'";
}

std::string unsupported_auth_message(bool mariadb) {
  return std::string("Client does not support authentication protocol requested by server; consider upgrading ") +
         (mariadb ? "MariaDB" : "MySQL") + " client";
}

std::string foreign_data_source_message(std::string_view name) {
  return "Unable to connect to foreign data source: " + std::string(name.substr(0, 64));
}

std::string unknown_statement_message(std::uint32_t id, std::string_view command) {
  return "Unknown prepared statement handler (" + std::to_string(id) + ") given to " + std::string(command);
}

std::string wrong_arguments_message(std::string_view what) { return "Incorrect arguments to " + std::string(what); }

std::string no_open_cursor_message(std::uint32_t id) {
  return "The statement (" + std::to_string(id) + ") has no open cursor";
}

std::string too_many_statements_message(std::uint32_t limit) {
  return "Can't create more than max_prepared_stmt_count statements (current value: " + std::to_string(limit) + ")";
}

}  // namespace mysqlproxy::proxy
