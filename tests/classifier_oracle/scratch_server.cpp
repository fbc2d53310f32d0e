#include "scratch_server.hpp"

#include "scratch_schema.hpp"

namespace mysqlproxy::oracle {
namespace {

constexpr std::string_view kRunnerPassword = "oracle";

// Errors a write gets in a READ ONLY transaction or on a read-only server.
bool is_read_only_refusal(unsigned code) {
  return code == 1792 /* ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION */ ||
         code == 1290 /* ER_OPTION_PREVENTS_STATEMENT */ || code == 1836 /* ER_READ_ONLY_MODE */;
}

}  // namespace

std::string RunMode::describe() const {
  return "sql_mode='" + sql_mode + "' charset=" + charset;
}

unsigned run_all(MYSQL* conn, std::string_view sql, std::string* error_text) {
  if (mysql_real_query(conn, sql.data(), sql.size()) != 0) {
    if (error_text != nullptr) *error_text = mysql_error(conn);
    return mysql_errno(conn);
  }
  for (;;) {
    if (MYSQL_RES* res = mysql_store_result(conn)) mysql_free_result(res);
    const int more = mysql_next_result(conn);
    if (more == -1) return 0;
    if (more > 0) {
      if (error_text != nullptr) *error_text = mysql_error(conn);
      return mysql_errno(conn);
    }
  }
}

ScratchServer::ScratchServer(std::string socket, std::string admin_user)
    : socket_(std::move(socket)), admin_user_(std::move(admin_user)) {}

ScratchServer::~ScratchServer() {
  for (auto& [name, conn] : runners_) mysql_close(conn);
  if (admin_ != nullptr) mysql_close(admin_);
}

MYSQL* ScratchServer::connect(const std::string& user, const std::string& password) {
  MYSQL* conn = mysql_init(nullptr);
  const unsigned timeout = 20;  // a statement past max_statement_time, or a server gone
  mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &timeout);
  mysql_options(conn, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
  mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(conn, nullptr, user.c_str(), password.c_str(), nullptr, 0, socket_.c_str(),
                         CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS) == nullptr) {
    trouble_ = "cannot connect as " + user + " to " + socket_ + ": " + mysql_error(conn);
    mysql_close(conn);
    return nullptr;
  }
  return conn;
}

std::string ScratchServer::setup() {
  admin_ = connect(admin_user_, "");
  if (admin_ == nullptr) return trouble_;
  std::string error;
  const std::string account = "'" + std::string(kRunnerUser) + "'@'localhost'";
  const std::string sql = std::string(kSetupSql) + ";CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" +
                          std::string(kRunnerPassword) + "';GRANT ALL PRIVILEGES ON o.* TO " + account +
                          ";SET SESSION lock_wait_timeout = 10";
  if (run_all(admin_, sql, &error) != 0) return "setting up the scratch schema: " + error;
  const auto s = state();
  if (!s) return trouble_;
  state_ = *s;
  return {};
}

std::optional<std::string> ScratchServer::state() {
  if (mysql_real_query(admin_, kStateSql.data(), kStateSql.size()) != 0) {
    trouble_ = std::string("reading the scratch state: ") + mysql_error(admin_);
    return std::nullopt;
  }
  MYSQL_RES* res = mysql_store_result(admin_);
  if (res == nullptr) {
    trouble_ = std::string("reading the scratch state: ") + mysql_error(admin_);
    return std::nullopt;
  }
  std::string out;
  if (MYSQL_ROW row = mysql_fetch_row(res)) {
    for (unsigned i = 0; i < mysql_num_fields(res); ++i) {
      out += row[i] != nullptr ? row[i] : "NULL";
      out += '|';
    }
  }
  mysql_free_result(res);
  return out;
}

bool ScratchServer::restore() {
  std::string error;
  if (run_all(admin_, kSetupSql, &error) != 0) {
    trouble_ = "restoring the scratch schema: " + error;
    return false;
  }
  const auto s = state();
  if (!s) return false;
  state_ = *s;
  return true;
}

MYSQL* ScratchServer::runner(const RunMode& mode) {
  const std::string key = mode.describe();
  if (auto it = runners_.find(key); it != runners_.end()) return it->second;
  MYSQL* conn = connect(std::string(kRunnerUser), std::string(kRunnerPassword));
  if (conn != nullptr) runners_[key] = conn;
  return conn;
}

void ScratchServer::drop_runner(const RunMode& mode) {
  if (auto it = runners_.find(mode.describe()); it != runners_.end()) {
    mysql_close(it->second);
    runners_.erase(it);
  }
}

std::optional<std::string> ScratchServer::run_read_only(const RunMode& mode, std::string_view sql) {
  MYSQL* conn = runner(mode);
  if (conn == nullptr) return std::nullopt;
  // A fresh session each time (the connection is reset after each run): nothing an earlier
  // statement set (sql_mode, locks, temporary tables, variables) carries over.
  std::string error;
  const std::string begin = "SET SESSION sql_mode = '" + mode.sql_mode +
                            "', max_statement_time = 2, lock_wait_timeout = 2; SET NAMES " + mode.charset +
                            "; START TRANSACTION READ ONLY";
  if (run_all(conn, begin, &error) != 0) {
    trouble_ = "preparing a read-only transaction (" + mode.describe() + "): " + error + mysql_error(conn);
    drop_runner(mode);
    return std::nullopt;
  }
  std::optional<std::string> wrote;
  const unsigned code = run_all(conn, sql, &error);
  if (is_read_only_refusal(code)) wrote = "ERR " + std::to_string(code) + " (" + error + ")";
  if (!wrote && sql.find(kTempProbe.substr(2)) != std::string_view::npos) {
    const std::string probe = "SELECT 1 FROM " + std::string(kTempProbe) + " LIMIT 0";
    if (run_all(conn, probe) == 0) wrote = "it created the temporary table " + std::string(kTempProbe);
  }
  // Ends the transaction and anything the statement left: LOCK TABLES, named locks, temporary tables.
  if (run_all(conn, "ROLLBACK") != 0 || mysql_reset_connection(conn) != 0) drop_runner(mode);
  const auto now = state();
  if (!now) return wrote;
  if (*now != state_) {
    if (!wrote) wrote = "the binary log or the scratch data changed (" + state_ + " -> " + *now + ")";
    restore();
  }
  return wrote;
}

}  // namespace mysqlproxy::oracle
