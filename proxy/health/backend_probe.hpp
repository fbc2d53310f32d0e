#pragma once
// BackendProbe: one health check of one backend over the monitor's own connection, which stays
// open between checks (unless health.keep_connection is false) and is opened again when it breaks. A check reads @@read_only (and
// @@innodb_read_only where it exists), the GTID position, the replication threads and lag, and,
// with the heartbeat on, writes (primary) or reads (replicas) the heartbeat row. It never throws:
// every problem ends up in the CheckResult.
#include <optional>
#include <string>

#include "proxy/health/check_result.hpp"
#include "proxy/health/monitor_connection.hpp"

namespace mysqlproxy::proxy {

struct ProbeSettings {
  ConnectionSettings connection;
  bool heartbeat = false;
  std::string heartbeat_table;
  bool keep_connection = true;  // false: log out after each check (health.keep_connection)
};

class BackendProbe {
 public:
  // `write_heartbeat`: this backend is the current primary (the heartbeat is written only if it
  // also answers writable).
  CheckResult check(const ProbeSettings& settings, bool write_heartbeat);

  // Thread-safe: makes a blocked check return now (it then fails).
  void interrupt() { connection_.interrupt(); }
  void close() { connection_.close(); }

 private:
  std::optional<std::string> ensure_connected(const ConnectionSettings& settings);
  std::optional<std::string> read_variables(CheckResult& result);
  std::optional<std::string> read_replication(CheckResult& result);
  std::optional<std::string> run_heartbeat(const ProbeSettings& settings, bool write,
                                           CheckResult& result);

  MonitorConnection connection_;
  bool innodb_read_only_ = false;  // a start-up-only variable: read once per connection
  bool use_slave_syntax_ = false;  // the server rejected SHOW REPLICA STATUS (MySQL < 8.0.22)
  bool heartbeat_table_ready_ = false;
  std::string last_heartbeat_error_;  // each distinct heartbeat problem is logged once
};

}  // namespace mysqlproxy::proxy
