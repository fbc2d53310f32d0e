#pragma once
// PoolSnapshot: what the health monitor knows about every backend, published as one immutable
// object. Sessions read it through PoolSnapshotCell without locks; the monitor replaces it whole.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace mysqlproxy::proxy {

enum class BackendState : std::uint8_t {
  kUp,        // takes new work
  kLagging,   // a replica behind by more than max_replication_lag: no new reads
  kDown,      // failed its checks: no new work; idle connections to it are closed
  kDraining,  // set by an operator: no new work, running work finishes
};

// The same roles as in the config; here, as detected (read_only = 0 is the primary).
using BackendRole = config::BackendRole;

struct BackendStatus {
  std::uint32_t id = 0;  // stable for the life of the process for one name + address; keys pools
  std::string name;      // config name; discovered addresses get "<name>/<address>"
  std::string host;      // address connected to
  std::uint16_t port = 3306;
  BackendRole role = BackendRole::kReplica;  // as detected (read_only = 0 is the primary)
  BackendState state = BackendState::kUp;
  std::uint32_t weight = 1;
  std::optional<double> lag_seconds;  // replicas: heartbeat or Seconds_Behind_Master
  std::string gtid_position;          // @@gtid_current_pos (MariaDB) / @@gtid_executed (MySQL)
  std::chrono::system_clock::time_point last_check{};
  std::chrono::microseconds check_duration{0};
  std::string last_error;             // why the last check failed, or what is wrong with replication
  bool reachable = false;             // the last check passed (it may still report a replication problem)
  bool read_only = true;              // as the last check found it
  bool replicates = false;            // the last check found a replication source configured
  std::uint64_t checks = 0;           // health checks run since it joined
  std::uint64_t checks_failed = 0;
};

struct PoolSnapshot {
  std::uint64_t version = 0;
  std::vector<BackendStatus> backends;
  std::optional<std::size_t> primary;  // index into backends of the primary taking writes
  bool reads_fall_back_to_primary = false;  // no replica can take reads right now

  [[nodiscard]] bool takes_reads(const BackendStatus& b) const noexcept {
    return b.role == BackendRole::kReplica && b.state == BackendState::kUp;
  }
  [[nodiscard]] const BackendStatus* primary_status() const noexcept {
    return primary ? &backends[*primary] : nullptr;
  }
};

class PoolSnapshotCell {
 public:
  explicit PoolSnapshotCell(std::shared_ptr<const PoolSnapshot> s = std::make_shared<const PoolSnapshot>())
      : current_(std::move(s)) {}
  [[nodiscard]] std::shared_ptr<const PoolSnapshot> get() const { return current_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const PoolSnapshot> s) { current_.store(std::move(s), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const PoolSnapshot>> current_;
};

}  // namespace mysqlproxy::proxy
