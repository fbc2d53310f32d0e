#include "proxy/health/monitor_connection.hpp"

#include <errmsg.h>
#include <mysql.h>
#include <sys/socket.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "config/backend_lookup.hpp"

namespace mysqlproxy::proxy {
namespace {

// TLS as the backend's config asks: enforced, with the CA chain checked when a CA is trusted (the
// client library verifies the chain whenever it has a CA).
void apply_tls(MYSQL* mysql, const config::BackendTlsConfig& tls) {
  my_bool off = 0;
  my_bool on = 1;
  mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
  if (tls.mode == config::BackendTlsMode::kDisabled) {
    mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &off);
    return;
  }
  mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
  const bool verify = tls.mode != config::BackendTlsMode::kRequired;
  if (verify && !tls.ca_file.empty()) mysql_options(mysql, MYSQL_OPT_SSL_CA, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) {
    mysql_options(mysql, MYSQL_OPT_SSL_CERT, tls.cert_file.c_str());
    mysql_options(mysql, MYSQL_OPT_SSL_KEY, tls.key_file.c_str());
  }
  if (tls.min_version == config::TlsVersion::kTls13) mysql_options(mysql, MARIADB_OPT_TLS_VERSION, "TLSv1.3");
  else mysql_options(mysql, MARIADB_OPT_TLS_VERSION, "TLSv1.2,TLSv1.3");
}

QueryError error_of(MYSQL* mysql) {
  unsigned code = mysql_errno(mysql);
  return QueryError{code, "[" + std::to_string(code) + "] " + mysql_error(mysql)};
}

}  // namespace

ConnectionSettings monitor_settings(const config::Config& cfg, std::string_view backend_name, std::string host,
                                    std::uint16_t port, std::chrono::milliseconds timeout) {
  ConnectionSettings s{std::move(host), port, cfg.health.user, cfg.health.password, timeout};
  if (const config::BackendConfig* entry = config::entry_of(cfg, backend_name)) {
    s.tls = entry->tls;
    s.compress = config::compress_backend(cfg.compression, *entry);
  }
  return s;
}

void ensure_mysql_library() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

MonitorConnection::~MonitorConnection() { close(); }

bool MonitorConnection::is_mariadb() const noexcept {
  return version_.find("MariaDB") != std::string::npos;
}

std::optional<std::string> MonitorConnection::connect(const ConnectionSettings& settings) {
  close();
  ensure_mysql_library();
  settings_ = settings;
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return std::string("mysql_init failed (out of memory)");
  // The client library counts whole seconds; HealthMonitor also fails a check that takes longer
  // than the exact timeout.
  auto ms = settings.timeout.count();
  unsigned int seconds = static_cast<unsigned int>(std::max<long long>(1, (ms + 999) / 1000));
  unsigned int protocol = MYSQL_PROTOCOL_TCP;  // "localhost" would otherwise mean the socket
  my_bool off = 0;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &seconds);
  mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &seconds);
  mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &seconds);
  mysql_options(mysql, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(mysql, MYSQL_OPT_RECONNECT, &off);  // we reconnect ourselves, knowingly
  apply_tls(mysql, settings.tls);
  if (settings.compress) mysql_options(mysql, MYSQL_OPT_COMPRESS, nullptr);
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // Both heartbeat timestamps come from NOW(6) on the servers; pin their zone to UTC so a
  // server-side time_zone difference cannot show up as lag.
  mysql_options(mysql, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
  if (mysql_real_connect(mysql, settings.host.c_str(), settings.user.c_str(),
                         settings.password.c_str(), nullptr, settings.port, nullptr,
                         0) == nullptr) {
    std::string message = error_of(mysql).message;
    mysql_close(mysql);
    return message;
  }
  version_ = mysql_get_server_info(mysql);
  {
    std::lock_guard lock(socket_mu_);
    mysql_ = mysql;
    socket_ = static_cast<int>(mysql_get_socket(mysql));
  }
  return std::nullopt;
}

void MonitorConnection::close() {
  MYSQL* mysql = nullptr;
  {
    std::lock_guard lock(socket_mu_);
    mysql = mysql_;
    mysql_ = nullptr;
    socket_ = -1;  // from here on interrupt() cannot touch a descriptor that gets reused
  }
  if (mysql != nullptr) mysql_close(mysql);
}

void MonitorConnection::interrupt() {
  std::lock_guard lock(socket_mu_);
  if (socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
}

MonitorConnection::Outcome MonitorConnection::query(const std::string& sql) {
  Outcome out;
  if (mysql_ == nullptr) {
    out.error = QueryError{CR_SERVER_LOST, "not connected"};
    return out;
  }
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    out.error = error_of(mysql_);
    if (out.error.connection_lost()) close();
    return out;
  }
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) {  // a result set was due but could not be read
      out.error = error_of(mysql_);
      if (out.error.connection_lost()) close();
      return out;
    }
    out.result.emplace();
    return out;
  }
  QueryResult result;
  unsigned int n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned int i = 0; i < n; ++i) result.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    RowValues& values = result.rows.emplace_back();
    for (unsigned int i = 0; i < n; ++i) {
      if (row[i] == nullptr) {
        values.emplace_back();
      } else {
        values.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(res);
  out.result = std::move(result);
  return out;
}

}  // namespace mysqlproxy::proxy
