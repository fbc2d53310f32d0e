#pragma once
// CheckResult: what one health check of one backend found. The probe (I/O) fills it; the state
// machine and role detection (pure) consume it.
#include <chrono>
#include <optional>
#include <string>

namespace mysqlproxy::proxy {

struct CheckResult {
  bool reachable = false;  // connected and every essential query answered
  bool timed_out = false;  // took longer than health.timeout; counts as failed even if it answered
  bool read_only = false;  // @@read_only (or @@innodb_read_only) is on
  std::optional<double> lag_seconds;  // replicas: heartbeat lag, else Seconds_Behind_Master
  bool replication_broken = false;    // IO or SQL thread not running, lag NULL, or read-only
                                      // without replication
  std::string error;                  // why the check failed; empty when it passed
  std::string replication_problem;    // why replication counts as broken ("SQL thread stopped")
  bool replication_waits_for_source = false;  // broken only as its IO thread can't reach the
                                              // source (see ReplicaStatus::waits_for_source)

  bool is_replica = false;    // SHOW REPLICA STATUS returned a row
  std::string gtid_position;  // @@gtid_current_pos (MariaDB) / @@gtid_executed (MySQL)
  std::chrono::microseconds duration{0};
  std::chrono::system_clock::time_point finished{};

  // A failed check is evidence against the backend, whatever else it says.
  [[nodiscard]] bool failed() const noexcept { return !reachable || timed_out; }
};

}  // namespace mysqlproxy::proxy
