// Small RAII wrapper over a libmysqlclient (MariaDB Connector/C) MYSQL*.
#pragma once

#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

namespace itest {

using Value = std::optional<std::string>;  // nullopt = SQL NULL
using Row = std::vector<Value>;
using Rows = std::vector<Row>;

class Client {
 public:
  Client();
  ~Client();
  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  MYSQL* get() const { return mysql_; }

  // mysql_options() before connect(); returns false if the option is rejected.
  bool set_option(mysql_option option, const void* value);
  bool set_max_allowed_packet(unsigned long bytes);
  bool set_charset(const std::string& name);
  bool set_read_timeout(unsigned seconds);  // also sets the write timeout
  bool set_local_infile(bool enabled);

  // mysql_real_connect over TCP. flags: CLIENT_MULTI_STATEMENTS etc.
  bool connect(const std::string& host, int port, const std::string& user, const std::string& password,
               const std::string& db = "", unsigned long flags = 0);
  bool connected() const { return connected_; }
  void close();

  // Runs one statement and returns its rows (empty for statements without a
  // result set); nullopt on error. Further results of a multi-statement are
  // read and discarded.
  std::optional<Rows> query(const std::string& sql);
  // Runs SQL and discards all results; false on error.
  bool exec(const std::string& sql);
  // First column of the first row; nullopt on error, on an empty result and for NULL.
  std::optional<std::string> scalar(const std::string& sql);

  unsigned errnum() const { return mysql_errno(mysql_); }
  std::string error() const { return mysql_error(mysql_); }
  std::string sqlstate() const { return mysql_sqlstate(mysql_); }
  // "[1064 42000] You have an error ..."; for assertion messages.
  std::string describe_error() const;

  std::string escape(const std::string& raw) const;

 private:
  MYSQL* mysql_ = nullptr;
  bool connected_ = false;
};

// Reads every row of a MYSQL_RES (stored or used) into Rows.
Rows fetch_all(MYSQL_RES* res);

}  // namespace itest
