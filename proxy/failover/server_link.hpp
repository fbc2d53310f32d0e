#pragma once
// ServerLink: the failover coordinator's own connection to one server (the monitor's account and
// TLS settings, libmysqlclient, blocking with a timeout), and what it reads there. The named lock
// taken on it lives as long as the connection.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "proxy/failover/failover_sql.hpp"
#include "proxy/health/monitor_connection.hpp"
#include "proxy/health/pool_snapshot.hpp"
#include "proxy/health/replica_status.hpp"

namespace mysqlproxy::proxy {

// What a failover needs to know of one server, read in one go.
struct ServerFacts {
  bool read_only = true;
  std::string binlog_history;  // MariaDB @@gtid_binlog_state, MySQL @@gtid_executed
  std::string applied;         // MariaDB @@gtid_current_pos, MySQL @@gtid_executed
  std::uint32_t server_id = 0;
  std::optional<ReplicaStatus> replica;  // nullopt: it replicates from nobody
};

class ServerLink {
 public:
  explicit ServerLink(BackendStatus backend) : backend_(std::move(backend)) {}

  // Connects as health.user; each statement may take up to `timeout`. The error otherwise.
  std::optional<std::string> connect(const config::Config& cfg, std::chrono::milliseconds timeout);
  [[nodiscard]] bool connected() const noexcept { return conn_.connected(); }
  [[nodiscard]] ServerFlavor flavor() const noexcept;
  [[nodiscard]] const BackendStatus& backend() const noexcept { return backend_; }

  // GET_LOCK(kFailoverLockName, 0): true when this connection holds it now.
  bool take_lock();
  std::optional<std::string> read(ServerFacts& out);
  // Runs each statement in order; the first error ends it ("<statement>: <error>").
  std::optional<std::string> run(const std::vector<std::string>& statements);
  // The first column of the first row (NULL as "NULL").
  std::optional<std::string> scalar(const std::string& sql, std::string& out);
  void close() { conn_.close(); }

 private:
  BackendStatus backend_;
  MonitorConnection conn_;
};

}  // namespace mysqlproxy::proxy
