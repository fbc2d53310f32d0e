#pragma once
// MonitorConnection: the monitor's own libmysqlclient connection to one backend, kept open
// between checks. Blocking; the connect, and each query with its result, end by the timeout
// after they start (the waits are the monitor's own, not the client library's). interrupt() may
// be called from another thread to end a blocked call at once (used by HealthMonitor::stop()).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "proxy/health/monitor_tls_probe.hpp"
#include "proxy/health/replica_status.hpp"

struct st_mysql;

namespace mysqlproxy::proxy {

struct ConnectionSettings {
  std::string host;
  std::uint16_t port = 3306;
  std::string user;
  std::string password;
  std::chrono::milliseconds timeout{1000};
  // The backend's TLS settings, as the proxy's own connections use them: required encrypts,
  // verify_ca checks the chain against ca_file (empty: the system's CAs), verify_identity also
  // requires tls.server_name in the certificate (monitor_settings() fills it in with the
  // configured host: the monitor connects to resolved addresses, which certificates seldom name).
  config::BackendTlsConfig tls;
  bool compress = false;  // MYSQL_OPT_COMPRESS: as the proxy's own connections to this backend

  bool operator==(const ConnectionSettings&) const = default;
};

// How the monitor reaches one backend of the pool snapshot (a discovered "<name>/<address>" too):
// as health.user, with the TLS and compression settings of its config entry.
[[nodiscard]] ConnectionSettings monitor_settings(const config::Config& cfg, std::string_view backend_name,
                                                  std::string host, std::uint16_t port,
                                                  std::chrono::milliseconds timeout);

struct QueryResult {
  ColumnNames columns;
  std::vector<RowValues> rows;
};

struct QueryError {
  unsigned code = 0;    // server error (1xxx) or client error (2xxx)
  std::string message;  // "[1064] You have an error ..."
  [[nodiscard]] bool connection_lost() const noexcept { return code >= 2000 && code < 3000; }
};

class MonitorConnection {
 public:
  MonitorConnection() = default;
  ~MonitorConnection();
  MonitorConnection(const MonitorConnection&) = delete;
  MonitorConnection& operator=(const MonitorConnection&) = delete;

  // Connects (TCP, TLS as settings.tls says, session time zone UTC so NOW(6) means the same on
  // every server). Returns an error message, or nullopt when connected. With TLS, a server that
  // sends anything after its greeting before TLS is up is refused (plaintext injected on the
  // path); under verify_identity the certificate is first checked by TlsIdentityProbe.
  std::optional<std::string> connect(const ConnectionSettings& settings);
  void close();
  [[nodiscard]] bool connected() const noexcept { return mysql_ != nullptr; }
  [[nodiscard]] const ConnectionSettings& settings() const noexcept { return settings_; }

  // "10.11.19-MariaDB-0+deb12u1-log" / "8.4.3"
  [[nodiscard]] const std::string& server_version() const noexcept { return version_; }
  [[nodiscard]] bool is_mariadb() const noexcept;

  // Runs one statement; rows are empty for statements without a result set. A lost connection
  // is closed here, so the next check reconnects.
  struct Outcome {
    std::optional<QueryResult> result;
    QueryError error;  // meaningful when !result
  };
  Outcome query(const std::string& sql);

  // Thread-safe: shuts the socket down so a blocked connect/read/write returns now.
  void interrupt();

 private:
  CertificateCheck check_identity(const ConnectionSettings& settings);
  // One mysql_real_connect; under verify_identity only the certificate `pinned_fingerprint`
  // names is accepted.
  std::optional<std::string> connect_once(const ConnectionSettings& settings, const std::string& pinned_fingerprint);

  TlsIdentityProbe probe_;
  unsigned last_errno_ = 0;  // the library's error code of the last failed connect_once()
  st_mysql* mysql_ = nullptr;
  ConnectionSettings settings_;
  std::string version_;
  std::mutex socket_mu_;  // guards socket_ against interrupt() racing close()
  int socket_ = -1;
};

// Initializes libmysqlclient once per process (mysql_init is not thread-safe before that).
void ensure_mysql_library();

}  // namespace mysqlproxy::proxy
